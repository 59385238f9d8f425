"""A TCP proxy a test can cut: the processes reach PostgreSQL or Redis through it, and the test
makes the server unreachable for a while without stopping the server, which other tests and
other programs on the machine share.

While cut, every open connection is closed and every new one is closed as soon as it is
accepted, so a client sees what it sees when a database host goes away and comes back: a
broken connection, then refused attempts, and after `restore` ordinary connections again.
"""

from __future__ import annotations

import contextlib
import select
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager


class CuttingProxy:
    """Forwards `127.0.0.1:<port>` to `target` until it is cut.

    Attributes:
      target: (host, port) of the real server.
      port: where the processes connect instead.
      accepted: connections accepted while not cut (to see that the processes went through it).
      refused: connections closed on arrival while cut.
    """

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self._listener = socket.socket()
        self._listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._listener.bind(("127.0.0.1", 0))
        self._listener.listen(128)
        self.port = int(self._listener.getsockname()[1])
        self.accepted = 0
        self.refused = 0
        self._cut = threading.Event()
        self._closing = threading.Event()
        self._lock = threading.Lock()
        self._open: set[socket.socket] = set()
        self._thread = threading.Thread(target=self._accept, name=f"proxy:{self.port}", daemon=True)
        self._thread.start()

    @property
    def url_host(self) -> str:
        return f"127.0.0.1:{self.port}"

    def _accept(self) -> None:
        while not self._closing.is_set():
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            if self._cut.is_set():
                self.refused += 1
                _hang_up(client)
                continue
            try:
                server = socket.create_connection(self.target, timeout=5)
            except OSError:
                _hang_up(client)
                continue
            self.accepted += 1
            with self._lock:
                self._open.update((client, server))
            threading.Thread(target=self._pipe, args=(client, server), daemon=True).start()

    def _pipe(self, client: socket.socket, server: socket.socket) -> None:
        pair = {client: server, server: client}
        try:
            while not self._cut.is_set():
                readable, _, _ = select.select(list(pair), [], [], 0.2)
                for sock in readable:
                    data = sock.recv(65536)
                    if not data:
                        return
                    pair[sock].sendall(data)
        except (OSError, ValueError):  # a socket `cut` closed under the select
            return
        finally:
            for sock in pair:
                _hang_up(sock)
            with self._lock:
                self._open.difference_update(pair)

    def cut(self) -> None:
        """Closes every connection through the proxy and refuses new ones until `restore`."""
        self._cut.set()
        with self._lock:
            for sock in list(self._open):
                _hang_up(sock)

    def restore(self) -> None:
        """Lets connections through again."""
        self._cut.clear()

    @contextmanager
    def cut_for(self, seconds: float) -> Iterator[float]:
        """Cut while the block runs, and at least `seconds`; yields the moment it was cut
        (`time.monotonic()`)."""
        self.cut()
        started = time.monotonic()
        try:
            yield started
        finally:
            time.sleep(max(0.0, started + seconds - time.monotonic()))
            self.restore()

    def close(self) -> None:
        self._closing.set()
        self.cut()
        _hang_up(self._listener)  # wakes the accepting thread
        self._thread.join(5)


def _hang_up(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)
    with contextlib.suppress(OSError):
        sock.close()
