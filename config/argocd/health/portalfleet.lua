-- Argo CD health check for ozg.dev/PortalFleet, the argocd-cm key
-- resource.customizations.health.ozg.dev_PortalFleet (see docs/gitops.md).
--
-- The fleet's status follows kstatus: observedGeneration, Ready from the
-- first reconcile on, Reconciling and Stalled; Paused is True while
-- spec.rollout.paused holds the rollout.
--
-- Beyond kstatus.lua (Stalled, then Ready True):
--   paused (Paused True or spec.rollout.paused)          -> Suspended
--   Ready False or Unknown                               -> Progressing

local kind = "PortalFleet"

-- @include kstatus.lua

local paused = find(status.conditions, "Paused")
local specPaused = type(obj.spec) == "table" and type(obj.spec.rollout) == "table" and obj.spec.rollout.paused == true
if (paused ~= nil and paused.status == "True") or specPaused then
  if ready.reason == "RolloutPaused" then
    return result("Suspended", describe(ready))
  end
  return result("Suspended", "spec.rollout.paused holds the rollout; " .. describe(ready))
end

return result("Progressing", describe(ready))
