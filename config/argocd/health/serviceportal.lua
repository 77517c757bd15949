-- Argo CD health check for ozg.dev/ServicePortal, the argocd-cm key
-- resource.customizations.health.ozg.dev_ServicePortal (see docs/gitops.md).
--
-- The portal's status follows kstatus: observedGeneration, Ready from the
-- first reconcile on (True once the content is rendered, every replica is
-- updated and available and the portal holds its hostname), Reconciling
-- while the Deployment rolls out, Stalled for AdministrationNotFound,
-- InvalidSpec and HostnameConflict.
--
-- Beyond kstatus.lua (Stalled, then Ready True):
--   Ready False or Unknown                               -> Progressing

local kind = "ServicePortal"

-- @include kstatus.lua

return result("Progressing", describe(ready))
