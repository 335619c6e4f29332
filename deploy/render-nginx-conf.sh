#!/usr/bin/env bash
# Prints deploy/nginx.conf with its placeholders filled in from the environment, e.g.
#   PORTAL_SERVER_NAME=partners.example.cn \
#   PORTAL_TLS_CERTIFICATE=/etc/ssl/partners.pem PORTAL_TLS_CERTIFICATE_KEY=/etc/ssl/partners.key \
#   bash deploy/render-nginx-conf.sh > /etc/nginx/conf.d/partner-portal.conf && nginx -t
# Only the placeholders listed here are replaced; nginx's own $variables stay as they are.
set -euo pipefail
cd "$(dirname "$0")"
: "${PORTAL_SERVER_NAME:?set PORTAL_SERVER_NAME, e.g. partners.example.cn}"
: "${PORTAL_TLS_CERTIFICATE:?set PORTAL_TLS_CERTIFICATE (PEM certificate chain)}"
: "${PORTAL_TLS_CERTIFICATE_KEY:?set PORTAL_TLS_CERTIFICATE_KEY (PEM private key)}"
export PORTAL_HTTP_LISTEN="${PORTAL_HTTP_LISTEN:-80}"
export PORTAL_HTTPS_LISTEN="${PORTAL_HTTPS_LISTEN:-443}"
export GUNICORN_BIND="${GUNICORN_BIND:-127.0.0.1:8000}"
export PORTAL_NGINX_LOG_DIR="${PORTAL_NGINX_LOG_DIR:-/var/log/nginx}"
export PORTAL_SERVER_NAME PORTAL_TLS_CERTIFICATE PORTAL_TLS_CERTIFICATE_KEY
# envsubst comes with GNU gettext (Debian's gettext-base)
envsubst '${PORTAL_SERVER_NAME} ${PORTAL_HTTP_LISTEN} ${PORTAL_HTTPS_LISTEN} ${GUNICORN_BIND}
${PORTAL_TLS_CERTIFICATE} ${PORTAL_TLS_CERTIFICATE_KEY} ${PORTAL_NGINX_LOG_DIR}' < nginx.conf
