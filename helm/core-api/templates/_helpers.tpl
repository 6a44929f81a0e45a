{{/*
Name of the core-api Deployment, Service, ConfigMap and Secret: `core-api` unless
fullnameOverride says otherwise (the runbook's kubectl commands use `core-api`).
*/}}
{{- define "core-api.fullname" -}}
{{- default .Chart.Name .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "core-api.postgresql.fullname" -}}
{{- printf "%s-postgresql" (include "core-api.fullname" .) | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "core-api.redis.fullname" -}}
{{- printf "%s-redis" (include "core-api.fullname" .) | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "core-api.migrate.fullname" -}}
{{- printf "%s-migrate" (include "core-api.fullname" .) | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "core-api.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) -}}
{{- end -}}

{{/* Labels of every resource; pass a dict with "root" and "component". */}}
{{- define "core-api.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .root.Chart.Name .root.Chart.Version | replace "+" "_" }}
app.kubernetes.io/managed-by: {{ .root.Release.Service }}
app.kubernetes.io/version: {{ default .root.Chart.AppVersion .root.Values.image.tag | quote }}
{{ include "core-api.selectorLabels" . }}
{{- end -}}

{{/* Selector labels: stable across upgrades, distinct per component. */}}
{{- define "core-api.selectorLabels" -}}
app.kubernetes.io/name: {{ .root.Chart.Name }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{- define "core-api.flag" -}}
{{- if . }}1{{ else }}0{{ end -}}
{{- end -}}

{{/*
REDIS_URL: the in-chart Redis service, else redis.url, else inline.
*/}}
{{- define "core-api.redisUrl" -}}
{{- if .Values.redis.enabled -}}
{{- printf "redis://%s:6379" (include "core-api.redis.fullname" .) -}}
{{- else -}}
{{- default "inline" .Values.redis.url -}}
{{- end -}}
{{- end -}}

{{/*
Secret and key the pods read DATABASE_URL and SERVICE_REGISTRY_TOKEN from.
*/}}
{{- define "core-api.secretName" -}}
{{- default (include "core-api.fullname" .) .Values.existingSecret -}}
{{- end -}}

{{- define "core-api.databaseUrlKey" -}}
{{- if .Values.existingSecret }}{{ .Values.existingSecretKeys.databaseUrl }}{{ else }}DATABASE_URL{{ end -}}
{{- end -}}

{{- define "core-api.registryTokenKey" -}}
{{- if .Values.existingSecret }}{{ .Values.existingSecretKeys.registryToken }}{{ else }}SERVICE_REGISTRY_TOKEN{{ end -}}
{{- end -}}

{{/*
Password of the in-chart Postgres: postgresql.auth.password, else the one this release
generated earlier (read back from its Secret, so upgrades keep it), else a new random one.
*/}}
{{- define "core-api.postgresql.password" -}}
{{- $existing := lookup "v1" "Secret" .Release.Namespace (include "core-api.fullname" .) -}}
{{- if .Values.postgresql.auth.password -}}
{{- .Values.postgresql.auth.password -}}
{{- else if and $existing $existing.data (hasKey $existing.data "POSTGRES_PASSWORD") -}}
{{- index $existing.data "POSTGRES_PASSWORD" | b64dec -}}
{{- else -}}
{{- /* Generated once per render: secret.yaml and the checksum in deployment.yaml agree. */ -}}
{{- if not (hasKey .Values.postgresql.auth "generatedPassword") -}}
{{- $_ := set .Values.postgresql.auth "generatedPassword" (randAlphaNum 32) -}}
{{- end -}}
{{- .Values.postgresql.auth.generatedPassword -}}
{{- end -}}
{{- end -}}

{{/*
Hook events of the migration Job.

With an external database (database.url or existingSecret) the Job runs before install and
before every upgrade: a failing migration stops the release before any pod runs the new code.

With the in-chart Postgres it cannot run before install: that Postgres is a regular resource
of the release, created only after the pre-install hooks have finished, so a pre-install Job
would wait for a database that does not exist yet (and `helm install` would time out). On
install the app's own start-up migration creates the schema instead (every replica runs it
under a Postgres advisory lock, so the schema is migrated exactly once); on upgrades the
database is already running and the Job runs before the upgrade as usual.
*/}}
{{- define "core-api.migrate.hookEvents" -}}
{{- if .Values.postgresql.enabled }}pre-upgrade{{ else }}pre-install,pre-upgrade{{ end -}}
{{- end -}}

{{/*
Rules that values.schema.json cannot express, checked by templates/validate.yaml: `helm
template`, `install` and `upgrade` stop with a message saying what to change. (`helm lint`
only reports them: in lint mode Helm logs `fail` instead of failing.)
*/}}
{{- define "core-api.validate" -}}
{{- $databaseSources := list -}}
{{- if .Values.database.url }}{{ $databaseSources = append $databaseSources "database.url" }}{{ end -}}
{{- if .Values.existingSecret }}{{ $databaseSources = append $databaseSources "existingSecret" }}{{ end -}}
{{- if .Values.postgresql.enabled }}{{ $databaseSources = append $databaseSources "postgresql.enabled" }}{{ end -}}
{{- if eq (len $databaseSources) 0 -}}
{{- fail "core-api: no database configured. Set database.url=postgres://…, existingSecret=<Secret with DATABASE_URL>, or postgresql.enabled=true (in-chart Postgres, for minikube). Without one the pods would start an embedded Postgres inside each container, which loses its data with the pod and is not shared between replicas." -}}
{{- end -}}
{{- if gt (len $databaseSources) 1 -}}
{{- fail (printf "core-api: the database is configured twice (%s). Set exactly one of database.url, existingSecret, postgresql.enabled." (join ", " $databaseSources)) -}}
{{- end -}}
{{- if and .Values.existingSecret .Values.registryToken -}}
{{- fail (printf "core-api: registryToken is not used with existingSecret. Put the token in Secret %q under key %q instead." .Values.existingSecret .Values.existingSecretKeys.registryToken) -}}
{{- end -}}
{{- if and .Values.redis.enabled .Values.redis.url -}}
{{- fail "core-api: Redis is configured twice. Set redis.url or redis.enabled=true (in-chart Redis), not both." -}}
{{- end -}}
{{- if and (gt (int .Values.replicaCount) 1) (eq (include "core-api.redisUrl" .) "inline") -}}
{{- fail (printf "core-api: replicaCount=%d needs a shared Redis, but redis.url is inline. In inline mode each pod keeps cache invalidations to itself, so replicas would serve different registries after a write. Set redis.url=redis://… or redis.enabled=true, or use replicaCount=1." (int .Values.replicaCount)) -}}
{{- end -}}
{{- if and (gt (int .Values.replicaCount) 1) (not .Values.flags.useSharedState) -}}
{{- fail (printf "core-api: replicaCount=%d with flags.useSharedState=false: the rollback path keeps the registry inside each pod, so replicas would disagree. Use replicaCount=1 with it." (int .Values.replicaCount)) -}}
{{- end -}}
{{- if and (gt (int .Values.replicaCount) 1) .Values.localStore.persistence.enabled -}}
{{- fail (printf "core-api: replicaCount=%d with localStore.persistence.enabled=true: the private store is one pod's embedded Postgres, and one volume cannot hold several. Use replicaCount=1 with a persistent private store." (int .Values.replicaCount)) -}}
{{- end -}}
{{- if le (mul (int .Values.terminationGracePeriodSeconds) 1000) (int .Values.config.shutdownDrainMs) -}}
{{- fail (printf "core-api: terminationGracePeriodSeconds=%d (%d ms) must exceed config.shutdownDrainMs=%d, or Kubernetes kills pods while they are still draining." (int .Values.terminationGracePeriodSeconds) (mul (int .Values.terminationGracePeriodSeconds) 1000) (int .Values.config.shutdownDrainMs)) -}}
{{- end -}}
{{- end -}}

{{/*
The writable /tmp a read-only root filesystem needs. Room for a heap snapshot: the app writes
one there on SIGUSR2, about the size of its heap (below the 512Mi memory limit), and a pod
whose emptyDir outgrows its sizeLimit is evicted.
*/}}
{{- define "core-api.tmpVolume" -}}
- name: tmp
  emptyDir:
    sizeLimit: 512Mi
{{- end -}}
