-- Argo CD health check for ozg.dev/OZGService, the argocd-cm key
-- resource.customizations.health.ozg.dev_OZGService (see docs/gitops.md).
--
-- A catalogue entry's status is a roll-up of the administrations tracking
-- it: observedGeneration and Ready from the first reconcile on, as kstatus
-- reads them. Ready says whether the roll-up is current: True (Succeeded)
-- once it was written after its inputs came to rest, Unknown
-- (RollupPending) while the administrations are still reporting. The
-- operator sets no Stalled here; one would count all the same.
--
-- Beyond kstatus.lua (Stalled, then Ready True):
--   Ready False or Unknown                               -> Progressing

local kind = "OZGService"

-- @include kstatus.lua

return result("Progressing", describe(ready))
