-- Argo CD health check for ozg.dev/Administration, the argocd-cm key
-- resource.customizations.health.ozg.dev_Administration (see docs/gitops.md).
--
-- An Administration's status is a roll-up of its portals: observedGeneration
-- and Ready from the first reconcile on, as kstatus reads them. Ready says
-- whether the roll-up is current: True (Succeeded) once it was written
-- after its portals' events came to rest, Unknown (RollupPending) while
-- they are still reporting. The operator sets no Stalled here; one would
-- count all the same.
--
-- Beyond kstatus.lua (Stalled, then Ready True):
--   Ready False or Unknown                               -> Progressing

local kind = "Administration"

-- @include kstatus.lua

return result("Progressing", describe(ready))
