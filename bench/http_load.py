"""A small HTTP load generator (wrk is not installed here): N keep-alive connections, each in a
thread, GET one path in a loop for a few seconds; requests per second of 200 answers (and the
statuses of the others, so that a failed run says why)."""

import http.client
import threading
import time


def load(
    host: str,
    port: int,
    path: str,
    *,
    cookie: str = "",
    connections: int = 16,
    seconds: float = 8.0,
) -> dict:
    headers = {"X-Forwarded-Proto": "https", "Host": "localhost"}
    if cookie:
        headers["Cookie"] = cookie
    done = [0] * connections
    errors = [0] * connections
    statuses: dict[int, int] = {}
    stop = time.monotonic() + seconds

    def worker(i):
        conn = http.client.HTTPConnection(host, port, timeout=30)
        while time.monotonic() < stop:
            try:
                conn.request("GET", path, headers=headers)
                response = conn.getresponse()
                response.read()
                if response.status == 200:
                    done[i] += 1
                else:
                    errors[i] += 1
                    statuses[response.status] = statuses.get(response.status, 0) + 1
            except (OSError, http.client.HTTPException):
                errors[i] += 1
                conn.close()
                conn = http.client.HTTPConnection(host, port, timeout=30)
        conn.close()

    started = time.monotonic()
    threads = [threading.Thread(target=worker, args=(i,)) for i in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    return {"rps": sum(done) / elapsed, "errors": sum(errors), "error_statuses": statuses}
