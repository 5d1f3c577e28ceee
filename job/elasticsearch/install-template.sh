#!/usr/bin/env bash
# Installs the alert indices' composable index template (ECS mappings for sysmon-cep-alerts-*).
#
#   job/elasticsearch/install-template.sh URL
#
# URL is the cluster, e.g. https://localhost:9200. Credentials and trust come from the environment:
#   ES_USERNAME + ES_PASSWORD   basic auth
#   ES_API_KEY                  API key (the "encoded" value), instead of basic auth
#   ES_CA_CERT                  PEM file of the CA to trust for HTTPS
# Works on Elasticsearch 7.10+, 8, 9 and OpenSearch 2. The sink does the same at start with
# installTemplate(true). The template's one source is the job's class path resource.
set -euo pipefail

if [ $# -ne 1 ]; then
  echo "usage: $0 URL" >&2
  exit 2
fi
url=${1%/}
here=$(cd "$(dirname "$0")" && pwd)
template="$here/../../src/main/resources/elasticsearch/index-template.json"

# Secrets go to curl on its standard input as a config file, never on its command line, where any
# user of the machine could read them in the process list.
quoted() { local v=${1//\\/\\\\}; printf '"%s"' "${v//\"/\\\"}"; }
config=""
if [ -n "${ES_API_KEY:-}" ]; then
  config="header = $(quoted "Authorization: ApiKey ${ES_API_KEY}")"
elif [ -n "${ES_USERNAME:-}" ]; then
  config="user = $(quoted "${ES_USERNAME}:${ES_PASSWORD:-}")"
fi
ca=()
if [ -n "${ES_CA_CERT:-}" ]; then
  ca=(--cacert "$ES_CA_CERT")
fi

printf '%s\n' "$config" | curl --silent --show-error --fail-with-body --config - "${ca[@]}" \
  -X PUT "$url/_index_template/sysmon-cep-alerts" \
  -H 'Content-Type: application/json' --data-binary "@$template"
echo
