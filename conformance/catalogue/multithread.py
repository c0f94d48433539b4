"""Backward from several Python threads: separate graphs, a shared leaf, a shared (retained or freed) graph,
per-thread grad modes and multithreading flag, and errors raised in a thread's backward, as PyTorch's
test/test_autograd.py::TestMultithreadAutograd pins them down.

Every observation here is independent of how the threads interleave: either the quantity observed does not
depend on the order (sums of equal gradients, counts of outcomes), or the threads are stepped through fixed
points with events, or they run one after the other."""
from __future__ import annotations

import threading
import traceback

from ..scenario import scenario, torch_docs, torch_test

TEST_MT = "test/test_autograd.py::TestMultithreadAutograd::"
WAIT = 10.0  # seconds an event may take before a scenario gives up (never reached when things work)
THREADS = 4


def _run_threads(target, count=THREADS, sequential=False):
    """Run ``target(index)`` in ``count`` threads; return what each returned, or the error it raised.
    ``sequential``: start each thread only once the previous one has finished."""
    results = [None] * count

    def body(index):
        try:
            results[index] = ("ok", target(index))
        except Exception as error:  # noqa: BLE001 - handed back to the scenario
            results[index] = ("raised", error)

    threads = [threading.Thread(target=body, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
        if sequential:
            thread.join(WAIT)
    for thread in threads:
        thread.join(WAIT)
    return results


def _values(ctx, results):
    """Each thread's result in thread order, an error as an observable record."""
    out = []
    for kind, value in results:
        out.append(value if kind == "ok" else ctx.capture(_reraise, value))
    return out


def _reraise(error):
    raise error


def _step(event):
    if not event.wait(WAIT):
        raise RuntimeError("scenario: a thread did not reach its step in time")


# ------------------------------------------------------------------ separate graphs, shared leaves
@scenario("multithread.separate_graphs_per_thread",
          "Threads that each build and backward their own graph get each their own leaf's gradient",
          torch_test(TEST_MT + "test_simple_backward",
                     "backward run concurrently from several threads on independent graphs is correct in each"))
def _(t, ctx):
    inputs = [ctx.randn(3, 2) for _ in range(THREADS)]

    def train(index):
        x = t.tensor(inputs[index], requires_grad=True)
        y = (x + 3) * (x + 4) * 0.5
        y.sum().backward()
        return {"grad": x.grad, "expected": x.detach() + 3.5, "y_grad_fn": y.grad_fn.name()}

    return {"per_thread": _values(ctx, _run_threads(train))}


@scenario("multithread.shared_leaf_grads_accumulate",
          "Threads backwarding their own graphs into one shared leaf: its .grad is the sum, N times one gradient",
          torch_test(TEST_MT + "test_simple_backward_same_input",
                     "concurrent backward calls all accumulate into the shared input's .grad (Hogwild style)"))
def _(t, ctx):
    x = t.tensor(ctx.randn(3, 2), requires_grad=True)

    def train(index):
        y = (x + 3) * (x + 4) * 0.5
        y.sum().backward()

    results = _values(ctx, _run_threads(train, count=8))
    return {"results": results, "x_grad": x.grad, "one_gradient": x.detach() + 3.5,
            "is_eight_times": bool(((x.grad - 8 * (x.detach() + 3.5)).abs() < 1e-4).all())}


@scenario("multithread.autograd_grad_in_threads",
          "autograd.grad from several threads on a shared leaf: each thread gets one gradient, .grad stays unset",
          torch_test(TEST_MT + "test_simple_backward_same_input",
                     "the functional grad() does not accumulate: every thread sees the same single gradient"))
def _(t, ctx):
    x = t.tensor(ctx.randn(2, 3), requires_grad=True)

    def train(index):
        y = (x + 3) * (x + 4) * 0.5
        grads = t.autograd.grad(y.sum(), x)
        return {"count": len(grads), "grad": grads[0], "requires_grad": grads[0].requires_grad}

    return {"per_thread": _values(ctx, _run_threads(train)), "x_grad": x.grad}


# ------------------------------------------------------------------ a graph shared between threads
def _shared_middle(t, ctx):
    x = t.tensor(ctx.randn(2, 2), requires_grad=True)
    return x, x + x ** 2


@scenario("multithread.shared_graph_retain_graph",
          "Threads each extend a shared graph and backward with retain_graph=True: the leaf gets N gradients",
          torch_test(TEST_MT + "test_python_thread_in_middle",
                     "with retain_graph=True every thread can backward through the shared part of the graph"))
def _(t, ctx):
    x, middle = _shared_middle(t, ctx)

    def train(index):
        y = middle + middle ** 2
        y.sum().backward(retain_graph=True)

    results = _values(ctx, _run_threads(train, count=5))
    xd = x.detach()
    one = 4 * xd ** 3 + 6 * xd ** 2 + 4 * xd + 1
    return {"results": results, "x_grad": x.grad, "one_gradient": one,
            "is_five_times": bool(((x.grad - 5 * one).abs() < 1e-3).all())}


@scenario("multithread.shared_graph_without_retain_graph",
          "Threads backwarding one after another through a shared graph without retain_graph: the first "
          "succeeds, the others raise torch's 'backward through the graph a second time' error",
          torch_test(TEST_MT + "test_python_thread_in_middle",
                     "without retain_graph the first backward frees the shared part; the others are told to "
                     "specify retain_graph=True"))
def _(t, ctx):
    x, middle = _shared_middle(t, ctx)

    def train(index):
        y = middle + middle ** 2
        y.sum().backward()
        return "ok"

    results = _values(ctx, _run_threads(train, count=4, sequential=True))
    return {"results": results, "x_grad": x.grad}


@scenario("multithread.shared_graph_without_retain_graph_concurrent",
          "The same, with the threads started together: at least one succeeds and every failure is the "
          "'Specify retain_graph=True' RuntimeError",
          torch_test(TEST_MT + "test_python_thread_in_middle",
                     "concurrently, at least one thread's backward succeeds; the others raise the retain_graph "
                     "error"))
def _(t, ctx):
    x, middle = _shared_middle(t, ctx)

    def train(index):
        y = middle + middle ** 2
        y.sum().backward()

    results = _run_threads(train, count=5)
    failures = sorted({f"{type(value).__name__}: {value}" for kind, value in results if kind == "raised"})
    return {"at_least_one_success": any(kind == "ok" for kind, _ in results),
            "failures_name_retain_graph": all("Specify retain_graph=True" in f and f.startswith("RuntimeError")
                                              for f in failures),
            "x_grad_set": x.grad is not None}


# ------------------------------------------------------------------ errors in a thread's backward
def _raising_function(t, message):
    class Raising(t.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, grad):
            raise ValueError(message)

    return Raising


@scenario("multithread.custom_backward_error_reaches_thread_caller",
          "A custom Function's backward raising in one thread reaches that thread's backward() caller, with its "
          "type, message and the raising frame in the traceback; the other threads' backward succeed",
          torch_test(TEST_MT + "test_preserve_backtrace",
                     "an exception raised in a custom backward propagates to the caller with its backtrace "
                     "(and test_custom_function_propagates_errors_from_device_thread: from whichever thread)"))
def _(t, ctx):
    Raising = _raising_function(t, "boom in backward")
    inputs = [ctx.randn(3) for _ in range(THREADS)]

    def train(index):
        x = t.tensor(inputs[index], requires_grad=True)
        if index == 1:
            try:
                Raising.apply(x).sum().backward()
            except ValueError as error:
                frames = [frame.name for frame in traceback.extract_tb(error.__traceback__)]
                return {"caught": type(error).__name__, "message": str(error),
                        "raising_frame_in_traceback": frames[-1] == "backward", "x_grad": x.grad}
            return "no error"
        (x * 3).sum().backward()
        return {"x_grad": x.grad}

    return {"per_thread": _values(ctx, _run_threads(train))}


@scenario("multithread.one_thread_error_others_accumulate",
          "A retained graph backwarded by 5 threads whose custom backward raises in the first thread to reach "
          "it: 1 error, 4 successes; the leaf reached before the custom node gets 5 gradients, the other 4",
          torch_test(TEST_MT + "test_multi_grad_all_hooks",
                     "one thread's failing backward (backward(inputs=...), retain_graph=True) does not disturb "
                     "the other threads' executions of the same graph"))
def _(t, ctx):
    lock = threading.Lock()
    calls = [0]

    class FailOnce(t.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 1

        @staticmethod
        def backward(ctx, grad):
            with lock:
                calls[0] += 1
                first = calls[0] == 1
            if first:
                raise RuntimeError("error message")
            return grad

    t2 = t.tensor(ctx.rand(2), requires_grad=True)
    t3 = t.tensor(ctx.rand(2), requires_grad=True)
    out = (FailOnce.apply(t2) * t3).sum()

    def train(index):
        out.backward(inputs=(t2, t3), retain_graph=True)

    results = _run_threads(train, count=5)
    errors = sorted({f"{type(value).__name__}: {value}" for kind, value in results if kind == "raised"})
    return {"successes": sum(kind == "ok" for kind, _ in results),
            "errors": sum(kind == "raised" for kind, _ in results), "error_texts": errors,
            "backward_calls": calls[0], "t2_grad": t2.grad, "t3_grad": t3.grad,
            "t2_is_4_t3": bool(((t2.grad - 4 * t3.detach()).abs() < 1e-5).all()),
            "t3_is_5_t2": bool(((t3.grad - 5 * t2.detach()).abs() < 1e-5).all())}


# ------------------------------------------------------------------ per-thread modes
@scenario("multithread.grad_mode_is_thread_local",
          "no_grad / set_grad_enabled in one thread do not change grad mode in another, either way",
          torch_docs("torch.no_grad",
                     "this context manager is thread local; it will not affect computation in other threads"))
def _(t, ctx):
    x = t.tensor(ctx.randn(3), requires_grad=True)
    out = {}

    def worker_under_main_no_grad(index):
        y = x * 2
        return {"enabled": t.is_grad_enabled(), "requires_grad": y.requires_grad,
                "grad_fn": None if y.grad_fn is None else y.grad_fn.name()}

    with t.no_grad():
        out["main_no_grad"] = {"worker": _values(ctx, _run_threads(worker_under_main_no_grad, count=1))[0],
                               "main_after": t.is_grad_enabled(), "main_requires_grad": (x * 2).requires_grad}

    entered, release = threading.Event(), threading.Event()

    def worker_in_no_grad(index):
        with t.no_grad():
            entered.set()
            _step(release)
            inside = {"enabled": t.is_grad_enabled(), "requires_grad": (x * 2).requires_grad}
        t.set_grad_enabled(False)  # as a plain call: stays off in this thread only
        return {"inside": inside, "after_set_false": t.is_grad_enabled()}

    results = []
    thread = threading.Thread(target=lambda: results.append(_run_threads(worker_in_no_grad, count=1)))
    thread.start()
    _step(entered)
    y = x * 2
    out["while_worker_in_no_grad"] = {"main_enabled": t.is_grad_enabled(), "main_requires_grad": y.requires_grad,
                                      "main_grad_fn": y.grad_fn.name()}
    release.set()
    thread.join(WAIT)
    out["worker"] = _values(ctx, results[0])[0]
    out["main_after_worker_set_false"] = t.is_grad_enabled()
    return out


@scenario("multithread.inference_mode_is_thread_local",
          "inference_mode in one thread does not put another thread in inference mode, either way",
          torch_docs("torch.inference_mode",
                     "this context manager is thread local; it will not affect computation in other threads"))
def _(t, ctx):
    x = t.tensor(ctx.randn(2), requires_grad=True)
    out = {}

    def observe(index=None):
        made = t.ones(2)
        y = x * 2
        return {"inference": t.is_inference_mode_enabled(), "grad": t.is_grad_enabled(),
                "made_is_inference": t.is_inference(made), "requires_grad": y.requires_grad}

    with t.inference_mode():
        out["worker_under_main_inference"] = _values(ctx, _run_threads(observe, count=1))[0]
        out["main_inside"] = observe()

    entered, release = threading.Event(), threading.Event()

    def worker_in_inference(index):
        with t.inference_mode():
            entered.set()
            _step(release)
            return observe()

    results = []
    thread = threading.Thread(target=lambda: results.append(_run_threads(worker_in_inference, count=1)))
    thread.start()
    _step(entered)
    out["main_while_worker_inference"] = observe()
    release.set()
    thread.join(WAIT)
    out["worker_inside"] = _values(ctx, results[0])[0]
    return out


@scenario("multithread.backward_paused_in_thread_main_keeps_working",
          "While one thread's backward is paused inside a custom backward (grad mode off there), the main thread "
          "still has grad mode on, records graphs and runs its own backward into the same leaf; both add up",
          torch_test(TEST_MT + "test_python_thread_in_middle",
                     "backward calls from different threads are independent executions; the grad mode the "
                     "engine sets for a backward is that thread's only"))
def _(t, ctx):
    entered, release = threading.Event(), threading.Event()
    seen = {}

    class Pausing(t.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, grad):
            seen["grad_mode_in_backward"] = t.is_grad_enabled()
            entered.set()
            _step(release)
            return grad * 2

    x = t.tensor(ctx.randn(3), requires_grad=True)

    def worker(index):
        Pausing.apply(x).sum().backward()
        return "done"

    results = []
    thread = threading.Thread(target=lambda: results.append(_run_threads(worker, count=1)))
    thread.start()
    _step(entered)
    z = x * 3
    main = {"grad_enabled": t.is_grad_enabled(), "z_grad_fn": z.grad_fn.name()}
    z.sum().backward()
    main["x_grad_after_main_backward"] = x.grad.clone()
    (g,) = t.autograd.grad((x * x).sum(), x, create_graph=True)
    main["create_graph_result_grad_fn"] = g.grad_fn.name()
    release.set()
    thread.join(WAIT)
    return {"seen": seen, "main": main, "worker": _values(ctx, results[0]), "x_grad": x.grad,
            "grad_mode_after": t.is_grad_enabled()}


@scenario("multithread.thread_backward_inside_custom_backward",
          "A custom backward that starts a thread running its own backward (and joins it) works: the new "
          "thread starts with grad mode on, its leaf gets its gradient, then the outer backward finishes",
          torch_test(TEST_MT + "test_python_thread_in_middle",
                     "a Python thread may run its own backward while another thread's backward is in a custom "
                     "Function's backward"))
def _(t, ctx):
    inner_data = ctx.randn(2)
    inner = {}

    def inner_backward(index):
        a = t.tensor(inner_data, requires_grad=True)
        grad_mode = t.is_grad_enabled()
        (a * a).sum().backward()
        return {"grad_mode": grad_mode, "a_grad": a.grad}

    class Spawning(t.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(function_ctx, grad):
            inner["outer_grad_mode"] = t.is_grad_enabled()
            inner["thread"] = _values(ctx, _run_threads(inner_backward, count=2))
            return grad * 2

    x = t.tensor(ctx.randn(3), requires_grad=True)
    Spawning.apply(x).sum().backward()
    return {"inner": inner, "x_grad": x.grad}


# ------------------------------------------------------------------ set_multithreading_enabled
@scenario("multithread.set_multithreading_enabled_context_and_function",
          "set_multithreading_enabled works as a context manager (restores on exit) and as a plain call; "
          "is_multithreading_enabled reports it; as a decorator it leaves the flag set",
          torch_test(TEST_MT + "test_set_multithreading_enabled_as_context_manager_and_function",
                     "the flag follows the context manager and plain calls"))
def _(t, ctx):
    ag = t.autograd
    seen = {"default": ag.is_multithreading_enabled()}
    with ag.set_multithreading_enabled(False):
        seen["in_false"] = ag.is_multithreading_enabled()
    seen["after_false"] = ag.is_multithreading_enabled()
    with ag.set_multithreading_enabled(True):
        seen["in_true"] = ag.is_multithreading_enabled()
    seen["after_true"] = ag.is_multithreading_enabled()
    with ag.set_multithreading_enabled(False):
        ag.set_multithreading_enabled(True)
        seen["call_true_inside_false"] = ag.is_multithreading_enabled()
    seen["after_nested"] = ag.is_multithreading_enabled()
    handle = ag.set_multithreading_enabled(False)
    seen["call_false"] = ag.is_multithreading_enabled()
    seen["returns"] = type(handle).__name__
    ag.set_multithreading_enabled(True)
    seen["call_true"] = ag.is_multithreading_enabled()

    @ag.set_multithreading_enabled(False)
    def decorated():
        return ag.is_multithreading_enabled()

    seen["after_decorating"] = ag.is_multithreading_enabled()
    seen["decorated_call"] = decorated()
    seen["after_decorated_call"] = ag.is_multithreading_enabled()
    ag.set_multithreading_enabled(True)
    seen["restored"] = ag.is_multithreading_enabled()
    return seen


@scenario("multithread.multithreading_flag_is_thread_local",
          "set_multithreading_enabled(False) in one thread leaves other threads' flag on; backward with the "
          "flag off gives the same gradients",
          torch_docs("torch.autograd.grad_mode.set_multithreading_enabled",
                     "this context manager is thread local; it will not affect computation in other threads"))
def _(t, ctx):
    ag = t.autograd
    data = ctx.randn(3)

    def observe(index):
        x = t.tensor(data, requires_grad=True)
        (x * x).sum().backward()
        return {"flag": ag.is_multithreading_enabled(), "x_grad": x.grad}

    out = {}
    with ag.set_multithreading_enabled(False):
        out["main_off"] = observe(None)
        out["worker_while_main_off"] = _values(ctx, _run_threads(observe, count=1))[0]

    def worker_off(index):
        ag.set_multithreading_enabled(False)
        return observe(index)

    out["worker_off"] = _values(ctx, _run_threads(worker_off, count=1))[0]
    out["main_after_worker_off"] = ag.is_multithreading_enabled()
    return out
