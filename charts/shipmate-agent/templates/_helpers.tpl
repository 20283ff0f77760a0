{{/* The integration's name: nameOverride or the chart's name (label app.kubernetes.io/name, K8S_DEPLOYMENT_NAME). */}}
{{- define "shipmate-agent.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "shipmate-agent.fullname" -}}
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

{{- define "shipmate-agent.selectorLabels" -}}
app.kubernetes.io/name: {{ include "shipmate-agent.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "shipmate-agent.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{ include "shipmate-agent.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/component: execution-plane
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{- define "shipmate-agent.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "shipmate-agent.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "shipmate-agent.image" -}}
{{ .Values.image.repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}
{{- end }}

{{/* Secret holding the token given as remoteControlPlane.api.token. */}}
{{- define "shipmate-agent.tokenSecretName" -}}
{{- printf "%s-api-token" (include "shipmate-agent.fullname" .) }}
{{- end }}

{{/*
The agent's connection to the control plane (apps/cli/src/agent/agent-config.ts): the same list in
the agent container, the `helm test` pod and the unregister Job.
*/}}
{{- define "shipmate-agent.connectionEnv" -}}
{{- $rcp := .Values.remoteControlPlane }}
{{- if $rcp.enabled }}
- name: KEPTN_API_ENDPOINT
  value: {{ printf "%s://%s/api" $rcp.api.protocol (required "remoteControlPlane.api.hostname is required with remoteControlPlane.enabled=true: give the control plane's host without scheme and /api, e.g. --set remoteControlPlane.api.hostname=cp.example.com" $rcp.api.hostname) | quote }}
- name: KEPTN_API_TOKEN
  valueFrom:
    secretKeyRef:
      {{- if $rcp.api.tokenSecretName }}
      name: {{ $rcp.api.tokenSecretName }}
      {{- else }}
      name: {{ include "shipmate-agent.tokenSecretName" . }}
      {{- end }}
      key: keptn-api-token
- name: HTTP_SSL_VERIFY
  value: {{ ternary "true" "false" (ne (toString $rcp.api.apiValidateTls) "false") | quote }}
{{- if $rcp.api.caSecretName }}
- name: SHIPMATE_CA_FILE
  value: /etc/shipmate/ca/ca.crt
{{- end }}
{{- else }}
- name: KEPTN_API_ENDPOINT
  value: {{ .Values.controlPlane.endpoint | quote }}
- name: KEPTN_API_TOKEN
  valueFrom:
    secretKeyRef:
      name: {{ .Values.controlPlane.tokenSecretName }}
      key: {{ .Values.controlPlane.tokenSecretKey }}
{{- end }}
- name: K8S_DEPLOYMENT_NAME
  value: {{ include "shipmate-agent.name" . | quote }}
- name: K8S_NAMESPACE
  valueFrom:
    fieldRef:
      fieldPath: metadata.namespace
- name: K8S_POD_NAME
  valueFrom:
    fieldRef:
      fieldPath: metadata.name
- name: K8S_NODE_NAME
  valueFrom:
    fieldRef:
      fieldPath: spec.nodeName
{{- end }}

{{/* The name the plane registers under: the built-in's own name, or K8S_DEPLOYMENT_NAME. */}}
{{- define "shipmate-agent.registrationName" -}}
{{- default (include "shipmate-agent.name" .) .Values.integration.builtIn }}
{{- end }}

{{/* The CA volume, when remoteControlPlane.api.caSecretName is set. */}}
{{- define "shipmate-agent.caVolume" -}}
{{- if and .Values.remoteControlPlane.enabled .Values.remoteControlPlane.api.caSecretName }}
- name: ca
  secret:
    secretName: {{ .Values.remoteControlPlane.api.caSecretName }}
    items:
      - key: ca.crt
        path: ca.crt
{{- end }}
{{- end }}
{{- define "shipmate-agent.caVolumeMount" -}}
{{- if and .Values.remoteControlPlane.enabled .Values.remoteControlPlane.api.caSecretName }}
- name: ca
  mountPath: /etc/shipmate/ca
  readOnly: true
{{- end }}
{{- end }}
