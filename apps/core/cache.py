"""Django's Redis cache, with one client object per connection pool instead of one per call.

`django.core.cache.backends.redis.RedisCacheClient.get_client` builds a new `redis.Redis`
around the (shared) connection pool for every cache call; redis-py's constructor costs about
0.2 ms, more than the round trip to a local Redis, and a signed-in request makes two to four
cache calls (session, page cache, rate limits). A `redis.Redis` is safe to share between
threads (each command takes a connection from the pool), so each pool gets one, made once.
Everything else is Django's backend unchanged. Issue 18, docs/performance.md.
"""

import threading

from django.core.cache.backends.redis import RedisCache, RedisCacheClient


class _ReusingClient(RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}
        self._lock = threading.Lock()

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            with self._lock:
                client = self._clients.setdefault(id(pool), self._client(connection_pool=pool))
        return client


class PortalRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = _ReusingClient
