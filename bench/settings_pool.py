"""Settings overlay for the benchmark: the database connection pool this benchmark suggests.

Use: PYTHONPATH=bench python bench/run.py --settings settings_pool
(needs the psycopg-pool package: pip install 'psycopg[pool]').

Under ASGI each request runs in its own thread, and a persistent connection
(CONN_MAX_AGE > 0) belongs to a thread, so connections pile up instead of being
reused until PostgreSQL refuses more. A pool per server process bounds them and
reuses them; Django's pool needs CONN_MAX_AGE = 0.
"""

from cmeconf.settings import *  # noqa: F403
from cmeconf.settings import DATABASES

DATABASES["default"]["CONN_MAX_AGE"] = 0
DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
    "min_size": 2,
    "max_size": 8,
    "timeout": 10,
}
