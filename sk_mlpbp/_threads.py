"""How many BLAS threads the matrix products of a fit get.

A fit's time is its products' (``np.dot``). On a machine whose other cores are busy,
a product split between BLAS threads waits for the thread that got no core: with one
busy process on the other of two cores, a small fit runs 20 times slower on two
threads than on one, and a large one 5 times; on a quiet machine, two threads are
faster for large products. So the policy of one ``fit`` or ``partial_fit`` call
(:func:`fit_threads`) is:

- small work, a step of fewer than ``SMALL_STEP`` multiply-adds, runs on one thread
  for the whole fit: its products gain little from a second thread even on a quiet
  machine;
- larger work is decided by measurement while it trains (:func:`paced`): it starts on
  one thread, then a probe times short blocks of batches on one thread and on the
  most threads in turn, and the faster count trains until the next probe, ``HOLD``
  times the probe's duration later; so the choice follows the machine's load, at a
  cost of a few percent (a block, and the probe, stop early once a count is clearly
  the slower). What a probe found carries over to the next fit of the same work
  (``partial_fit`` calls, cross-validation);
- it only ever lowers the number of threads, never raises it above the one in force
  when the fit starts, so a caller's ``threadpoolctl.threadpool_limits`` or
  ``OPENBLAS_NUM_THREADS`` is respected; and it puts back exactly the setting it found
  when the fit ends, however it ends.

The thread count changes results by rounding only: OpenBLAS blocks the inner, summed
dimension of a product differently on one thread and on several once it is longer than
its block (384 for float64 on AVX-512 kernels), so such products differ in the last
bits. A fit on one thread is reproducible to the bit; a probed fit, whose count
depends on the machine's load, to rounding, unless the caller fixes the count.
"""

import threading
import time
from contextlib import contextmanager, nullcontext

from threadpoolctl import ThreadpoolController

# Multiply-adds of one step, batch rows times the weights of all layers, below which
# a fit runs on one thread (benchmarks/threads.py --crossover measures where a second
# thread starts to pay on a quiet machine).
SMALL_STEP = 4_000_000
# A probe runs BLOCK batches on the current count, two blocks on the other, and one on
# the current count again, so that a drift in speed hits both alike.
BLOCK = 4
# The count that wins trains for HOLD times the probe's duration before the next
# probe, so probing costs at most about 1 / HOLD of the time.
HOLD = 25
# A probe stops early once one count is this many times slower per row than the
# other: then more blocks would not change the choice, only cost time.
SETTLED = 2.0
# More threads must be this much faster per row than one to be chosen: when they are
# about as fast, one thread leaves the other cores to the rest of the machine.
MARGIN = 0.05

_lock = threading.Lock()
_controller = None  # threadpoolctl's controller of the BLAS libraries, made once
_held = False  # whether a fit holds the BLAS threads now
_last = None  # the last probed policy, to carry over to the next fit of its work
_local = threading.local()  # the policy of this thread's running fit, for paced()


@contextmanager
def fit_threads(batch_rows, coefs):
    """Set the BLAS threads for a fit, and put back the setting in force when it ends.

    The fit's steps take ``batch_rows`` rows through the weight matrices ``coefs``. A
    fit that starts while another one holds the BLAS threads (in another thread, or
    nested in the first one) leaves them to it.
    """
    global _controller, _held
    with _lock:
        if _held:
            blas = None
        else:
            # Finding the loaded libraries takes milliseconds: it is done once.
            if _controller is None:
                _controller = ThreadpoolController().select(user_api="blas")
            blas, _held = _controller, True
    outer = getattr(_local, "policy", None)
    try:
        # limit(limits=None) changes nothing itself: it records the setting, and
        # puts it back on exit.
        with nullcontext() if blas is None else blas.limit(limits=None):
            work = batch_rows * sum(coef.size for coef in coefs)
            _local.policy = None if blas is None else _policy(blas, work)
            yield
    finally:
        _local.policy = outer
        if blas is not None:
            with _lock:
                _held = False


def paced(batches):
    """Return the batches of an epoch, through the thread policy of this thread's fit.

    Where the fit's thread count is fixed (or it has no policy), ``batches`` itself.
    """
    policy = getattr(_local, "policy", None)
    if policy is None or policy.fixed:
        return batches
    return policy.pace(batches)


def _policy(blas, work):
    """Return a new policy for a fit of ``work`` multiply-adds a step.

    The last policy is returned instead when it was for the same work under the same
    limits.
    """
    global _last
    libraries = [lib for lib in blas.lib_controllers if lib.num_threads]
    ceilings = [lib.num_threads for lib in libraries]
    if _last is not None and (_last.work, _last.ceilings) == (work, ceilings):
        _last.resume()
        return _last
    policy = _Policy(libraries, ceilings, work)
    if not policy.fixed:
        _last = policy
    return policy


class _Policy:
    """The BLAS thread count of a fit's products: fixed, or probed while it trains.

    Parameters
    ----------
    libraries : list of threadpoolctl LibController
        The BLAS libraries.

    ceilings : list of int
        Each library's thread count when the fit started: the most it may get.

    work : int
        Multiply-adds of one step.
    """

    def __init__(self, libraries, ceilings, work):
        self._libraries = libraries
        self.ceilings = ceilings
        self.work = work
        self.most = max(ceilings, default=1)
        self.fixed = self.most == 1 or work < SMALL_STEP
        # On one thread, a fit is never far from its best; the probe starts there.
        self.threads = self.most
        self._use(1)
        self._start_probe()
        # The first batch of a fit (buffers touched for the first time) is not timed.
        self._skip = 1

    def resume(self):
        """Go on in a new fit with the count and the probe where the last fit left them.

        The fit's libraries are back at their ceilings when it starts.
        """
        count, self.threads = self.threads, self.most
        self._use(count)
        self._block = [0.0, 0, 0]
        self._skip = 1

    def _use(self, count):
        if count != self.threads:
            for lib, ceiling in zip(self._libraries, self.ceilings):
                lib.set_num_threads(min(count, ceiling))
            self.threads = count

    def pace(self, batches):
        """Yield the batches, timing each one's step under the current count."""
        clock = time.perf_counter
        for batch in batches:
            start = clock()
            yield batch
            self._after_batch(batch.stop - batch.start, clock() - start)

    def _start_probe(self):
        current = self.threads
        other = self.most if current == 1 else 1
        self._plan = [current, other, other, current]
        # Seconds, rows and blocks of the probe on each count; seconds, rows and
        # batches of the running block.
        self._spent = {current: [0.0, 0, 0], other: [0.0, 0, 0]}
        self._block = [0.0, 0, 0]
        self._hold_until = None

    def _after_batch(self, rows, seconds):
        if self._skip:
            self._skip -= 1
            return
        if self._hold_until is not None:
            if time.perf_counter() >= self._hold_until:
                self._start_probe()
            return
        count = self._plan[0]
        block = self._block
        block[0] += seconds
        block[1] += rows
        block[2] += 1
        other_seconds, _, other_blocks = self._spent[self.most if count == 1 else 1]
        # A block ends after BLOCK batches, or as soon as it has taken longer than a
        # block on the other count took on average: its count is then the slower
        # one, and it costs no more than that.
        if block[2] < BLOCK and not (
            other_blocks and block[0] * other_blocks > other_seconds
        ):
            return
        spent = self._spent[count]
        spent[0] += block[0]
        spent[1] += block[1]
        spent[2] += 1
        self._block = [0.0, 0, 0]
        self._plan.pop(0)
        if self._plan and not self._settled():
            self._use(self._plan[0])
        else:
            self._decide()

    def _settled(self):
        """Return whether one count is already over SETTLED times slower per row."""
        (seconds_a, rows_a, blocks_a), (seconds_b, rows_b, blocks_b) = (
            self._spent.values()
        )
        a, b = seconds_a * rows_b, seconds_b * rows_a  # per row, times rows_a * rows_b
        return blocks_a and blocks_b and max(a, b) > SETTLED * min(a, b)

    def _decide(self):
        seconds_most, rows_most, _ = self._spent[self.most]
        seconds_one, rows_one, _ = self._spent[1]
        faster = seconds_most * rows_one < (1 - MARGIN) * seconds_one * rows_most
        self._use(self.most if faster else 1)
        # The probe's own batches, not the time between them (an epoch's end, or the
        # caller's work between partial_fit calls), measure what probing costs.
        probe = seconds_most + seconds_one
        self._hold_until = time.perf_counter() + HOLD * probe
