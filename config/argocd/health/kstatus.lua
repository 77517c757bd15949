-- The part of the Argo CD health checks of the ozg.dev kinds that reads
-- kstatus (see docs/gitops.md): hack/gen-argocd puts it in place of the
-- line "-- @include kstatus.lua" of each kind's script (<kind>.lua here),
-- which sets `kind` before it and decides what is left after it.
--   no status, a status of an older generation, no Ready -> Progressing
--   Stalled True                                         -> Degraded
--   Ready True                                           -> Healthy
-- The message is the deciding condition's "reason: message" (Healthy: the
-- Ready message alone).
--
-- Argo CD runs argocd-cm scripts without Lua's string library: use only
-- base functions. Edit config/argocd/health/*.lua only; hack/gen-argocd
-- composes the scripts into argocd-cm.yaml, which the Helm chart carries
-- too (make manifests).

local function text(value)
  if value == nil then
    return ""
  end
  return tostring(value)
end

local function find(conditions, wanted)
  if type(conditions) ~= "table" then
    return nil
  end
  for _, condition in ipairs(conditions) do
    if type(condition) == "table" and condition.type == wanted then
      return condition
    end
  end
  return nil
end

local function describe(condition)
  local reason, message = text(condition.reason), text(condition.message)
  if reason == "" and message == "" then
    return text(condition.type) .. " is " .. text(condition.status)
  end
  if reason == "" then
    return message
  end
  if message == "" then
    return reason
  end
  return reason .. ": " .. message
end

local function result(status, message)
  return { status = status, message = message }
end

local status = obj.status
if type(status) ~= "table" then
  return result("Progressing", "Waiting for the operator to reconcile the " .. kind)
end

local generation = nil
if type(obj.metadata) == "table" then
  generation = tonumber(obj.metadata.generation)
end
local observed = tonumber(status.observedGeneration)
if generation ~= nil and observed == nil then
  return result("Progressing", "Waiting for the operator to reconcile the " .. kind)
end
if generation ~= nil and observed < generation then
  return result("Progressing", "Waiting for the operator to reconcile generation " .. generation ..
    " (the status describes generation " .. observed .. ")")
end

local stalled = find(status.conditions, "Stalled")
if stalled ~= nil and stalled.status == "True" then
  return result("Degraded", describe(stalled))
end

local ready = find(status.conditions, "Ready")
if ready == nil then
  return result("Progressing", "Waiting for the operator to set the Ready condition")
end
if ready.status == "True" then
  if text(ready.message) == "" then
    return result("Healthy", describe(ready))
  end
  return result("Healthy", text(ready.message))
end
