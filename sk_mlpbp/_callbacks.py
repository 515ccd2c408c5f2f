"""scikit-learn's callback API (``sklearn.callback``, scikit-learn >= 1.9).

On an older scikit-learn the estimator trains the same way: its callback contexts are
stand-ins that do nothing.
"""


class _NoCallbackContext:
    """A callback context that calls nothing and keeps nothing."""

    def call_on_fit_task_begin(self, **kwargs):
        return self

    def call_on_fit_task_end(self, **kwargs):
        return False


try:
    from sklearn.callback import CallbackSupportMixin
except ImportError:  # scikit-learn < 1.9

    class CallbackSupportMixin:
        """Stand-in for ``sklearn.callback.CallbackSupportMixin``."""

        def _init_callback_context(self, **kwargs):
            return _NoCallbackContext()


def epoch_callback_context(estimator, fit_context):
    """Return the callback context of one epoch of a fit.

    scikit-learn keeps every subcontext of a fit in its parent until the fit ends
    (its task tree, a few hundred bytes each), so an epoch gets one only when
    callbacks are set on the estimator (by ``set_callbacks``, or propagated to it by
    a meta-estimator); otherwise a fit of any length runs in constant memory.

    Parameters
    ----------
    estimator : estimator instance
        The estimator being fitted.

    fit_context : CallbackContext
        The context of the whole fit.

    Returns
    -------
    context : CallbackContext
        A subcontext of ``fit_context`` for the epoch, or a stand-in that calls
        nothing.
    """
    if getattr(estimator, "_skl_callbacks", None):
        return fit_context.subcontext(task_name="epoch")
    return _NoCallbackContext()


__all__ = ["CallbackSupportMixin", "epoch_callback_context"]
