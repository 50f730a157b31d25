"""gunicorn settings for production: `gunicorn -c python:app.core.gunicorn_conf -w 2 -b 127.0.0.1:8000 wsgi:app`.

The app writes one JSON line per request to stdout (app/core/logs.py), so gunicorn's own access log is off; its error
log (start, stop, worker restarts) goes to stderr. Command-line options (-w, -b) override these values.
"""

import os

bind = f"127.0.0.1:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
accesslog = None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
# Request lines on even outside FLASK_CONFIG=production (set in the workers' environment before the app loads).
raw_env = [f"LOG_REQUESTS={os.environ.get('LOG_REQUESTS', '1')}"]
