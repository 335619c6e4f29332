"""gunicorn configuration; every value can be overridden by environment variables."""

import multiprocessing
import os

# loopback only: nginx (deploy/nginx.conf) is the front door and proxies to it
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2 + 1))
threads = int(os.environ.get("GUNICORN_THREADS", "2"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 20
accesslog = "-"
errorlog = "-"
# the access log never sees invitation tokens: TokenMaskingLogger masks /i/<token>/ and /t/<token>/
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(L)ss'
logger_class = "config.gunicorn_logging.TokenMaskingLogger"
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")
wsgi_app = "config.wsgi:application"
# gunicorn >= 25.1 opens a control socket at one fixed path per user ($HOME/.gunicorn/), which
# two servers on one host would fight over: off unless GUNICORN_CONTROL_SOCKET names a path.
control_socket = os.environ.get("GUNICORN_CONTROL_SOCKET", "")
control_socket_disable = not control_socket
