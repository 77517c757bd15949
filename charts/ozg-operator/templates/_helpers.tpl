{{/*
Name of the chart, overridable with nameOverride.
*/}}
{{- define "ozg-operator.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Full name of the release's resources: the release name, plus the chart name
unless the release name already contains it.
*/}}
{{- define "ozg-operator.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{/*
Chart name and version for the helm.sh/chart label.
*/}}
{{- define "ozg-operator.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Labels of every resource.
*/}}
{{- define "ozg-operator.labels" -}}
helm.sh/chart: {{ include "ozg-operator.chart" . }}
{{ include "ozg-operator.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/component: manager
app.kubernetes.io/part-of: ozg-operator
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{/*
Selector labels of the manager pods (immutable in the Deployment).
*/}}
{{- define "ozg-operator.selectorLabels" -}}
app.kubernetes.io/name: {{ include "ozg-operator.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/*
Name of the manager's ServiceAccount.
*/}}
{{- define "ozg-operator.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "ozg-operator.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- required "serviceAccount.name is required when serviceAccount.create is false" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/*
Manager image reference: repository plus digest, or tag (default appVersion).
*/}}
{{- define "ozg-operator.image" -}}
{{- if .Values.image.digest }}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" .Values.image.repository (.Values.image.tag | default .Chart.AppVersion) }}
{{- end }}
{{- end }}

{{/*
Namespace of the leader election Lease and its Role.
*/}}
{{- define "ozg-operator.leaderElectionNamespace" -}}
{{- default .Release.Namespace .Values.leaderElection.namespace }}
{{- end }}

{{/*
A container argument with Kubernetes' $(VAR) expansion escaped, so that a
value such as "$(name)-tls" reaches the manager literally.
*/}}
{{- define "ozg-operator.literalArg" -}}
{{- . | replace "$(" "$$(" }}
{{- end }}
