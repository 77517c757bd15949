// Package ozgctl implements the ozgctl command line, which imports the OZG
// catalogue and a Land's administrations into a cluster running
// ozg-operator, or prints them as manifests for GitOps, follows the
// rollout of a PortalFleet, and reports where OZG services are online,
// who built them with which tool, and a ServiceProgramme's progress:
//
//	ozgctl import catalog --dir DIR [-o yaml | --apply] [--strict]
//	ozgctl import administrations --file FILE [--it-provider NAME] [--kreis KEY,...] [-o yaml | --apply] [--strict]
//	ozgctl rollout status fleet/NAME [-n NAMESPACE] [--watch=false] [--timeout DURATION]
//	ozgctl coverage [--by themenfeld|administration|kreis|tool|level] [-o table|csv|json|yaml] [--format svg] [-l SELECTOR]
//	ozgctl coverage --programme NAME [-n NAMESPACE] [-o table|csv|json|yaml]
//	ozgctl reuse SERVICE [--near ADMINISTRATION] [-o table|csv|json|yaml]
//	ozgctl tools [-o table|csv|json|yaml] [-l SELECTOR]
//	ozgctl version [--client] [-o json]
//
// Installed as kubectl-ozg on the PATH, the same binary is the kubectl
// plugin "kubectl ozg" and names itself so in help and errors. It takes
// kubectl's connection flags (--kubeconfig, --context, -n, ...). Main
// returns kubectl's exit codes: 0 on success, 1 when a command fails
// (including a stalled rollout or a --timeout), 2 for a wrong command line.
//
// rollout status, coverage, reuse and tools are thin: the reports are
// computed and rendered by internal/rolloutstatus, internal/coverage,
// internal/programme and internal/reuse.
//
// The rest of this comment is about import.
//
// Every finding about the input goes to stderr as FILE:LINE:COLUMN:
// rejected|warning: column: reason, followed by a summary of the rows read.
// Without -o or --apply the input is only checked.
//
// -o yaml prints one document per object, sorted by name, without status,
// byte for byte the same for the same input.
//
// --apply uses server-side apply with field manager "ozgctl" and forced
// ownership, --concurrency requests at a time, and prints
//
//	created N, updated N, unchanged N, rejected N
//
// where unchanged means the resourceVersion stayed the same, so a repeated
// import writes nothing, and rejected adds the rows the importer rejected
// to the objects the API server refused (each printed as
// Kind/name: rejected: message). Fields that other managers own, such as an
// administration's services, are left alone; fields an earlier import set
// and this one does not (say, --it-provider) are removed.
//
// --strict exits non-zero when anything was rejected. Errors that are not
// about one object (unreachable server, missing CRDs or permissions) stop
// the import.
package ozgctl
