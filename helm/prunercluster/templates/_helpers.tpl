{{- define "prunercluster.fullname" -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "prunercluster.labels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end -}}

{{- define "prunercluster.selector" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "prunercluster.dbSecret" -}}
{{- if .Values.postgresql.enabled -}}
{{ include "prunercluster.fullname" . }}-postgresql
{{- else -}}
{{ .Values.database.existingSecret }}
{{- end -}}
{{- end -}}

{{- define "prunercluster.dbSecretKey" -}}
{{- if .Values.postgresql.enabled -}}
connectionString
{{- else -}}
{{ .Values.database.secretKey }}
{{- end -}}
{{- end -}}
