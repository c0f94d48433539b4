"""What changed between torch releases, one entry per feature.

reference_impl behaves like one torch version at a time (the *emulated*
version). Every text or flag that differs between releases is an entry here:
a list of (first torch version, value), the newest value that applies wins.
The engine asks ``value(name)``; nothing else in the package knows about versions.

Each entry was derived from recordings of real torch (``python -m conformance
record``, kept in ``conformance/recordings/torch-<version>.json``): ``shown_by``
names, for each change, the last recording with the old value and the first with
the new one (no recording lies between them), so the boundary is exact to the
recorded releases; a boundary is put at the minor release of the first recording
that shows it. ``python -m conformance drift torch-A torch-B`` shows the changes.

The emulated version is, in order: ``emulate(...)`` if called, the
``REFERENCE_IMPL_TORCH_VERSION`` environment variable, the installed torch's
version, else the newest recorded version.
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass
from importlib import metadata

ENV_VAR = "REFERENCE_IMPL_TORCH_VERSION"

# The torch releases recorded in conformance/recordings/ (the evidence for every entry below).
RECORDED = ("1.13.1", "2.0.1", "2.1.2", "2.2.2", "2.3.1", "2.4.1", "2.5.1", "2.6.0", "2.7.1", "2.8.0", "2.9.1",
            "2.10.0", "2.11.0", "2.12.0", "2.13.0", "2.14.1", "2.15.0")
OLDEST_SUPPORTED = "1.13"

_HINT = "Hint: enable anomaly detection to find the operation that failed to compute its gradient, with "


@dataclass(frozen=True)
class Feature:
    """A version-dependent value: ``since`` pairs (first version, value), oldest first; ``shown_by`` one
    (last recording with the old value, first recording with the new) pair per change, i.e. per ``since``
    entry after the first."""

    since: tuple
    doc: str
    shown_by: tuple = ()


FEATURES = {
    "optim.zero_grad.set_to_none_default": Feature(
        since=(("1.13", False), ("2.0", True)),
        doc="Optimizer.zero_grad() sets grads to None by default from 2.0; 1.13 zeroes them in place "
            "(optim.zero_grad_sets_none, optim.sgd_step_zero_grad; the grads' _version in optim.sgd_plain_steps).",
        shown_by=(("torch-1.13.1", "torch-2.0.1"),),
    ),
    "saved_tensor.node_naming": Feature(
        since=(("1.13", "backward_node"), ("2.13", "forward_op")),
        doc="Error messages naming a node: the in-place version error ('output 0 of MulBackward0') and the "
            "multi-output view error ('Output 0 of SplitBackward0') name the backward node up to 2.12, the "
            "forward op (Mul, Split; PowBackward1 -> Pow1) from 2.13 (errors.saved_mul_input_modified, "
            "views.inplace_on_multi_output_view_error).",
        shown_by=(("torch-2.12.0", "torch-2.13.0"),),
    ),
    "saved_tensor.anomaly_hint": Feature(
        since=(
            ("1.13", _HINT + "torch.autograd.set_detect_anomaly(True)."),
            ("2.11", _HINT + "torch.autograd.set_detect_anomaly(True, check_nan=False)."),
        ),
        doc="Hint ending the in-place version error (errors.saved_* , version.inplace_after_mul_fails). The 2.10.0 "
            "recording still has the old hint: the change is in 2.11, not 2.10 as once thought.",
        shown_by=(("torch-2.10.0", "torch-2.11.0"),),
    ),
    "autograd.unused_input_message": Feature(
        since=(
            ("1.13", "One of the differentiated Tensors appears to not have been used in the graph. "
                     "Set allow_unused=True if this is the desired behavior."),
            ("2.13", "The differentiated Tensor at index {index} appears to not have been used in the graph. "
                     "Set allow_unused=True if this is the desired behavior."),
        ),
        doc="autograd.grad on an input the outputs do not depend on, without allow_unused "
            "(autograd_grad.allow_unused, errors.grad_unused_input_index).",
        shown_by=(("torch-2.12.0", "torch-2.13.0"),),
    ),
    "tensor.nonleaf_grad_warning": Feature(
        since=(
            ("1.13", "The .grad attribute of a Tensor that is not a leaf Tensor is being accessed. Its .grad "
                     "attribute won't be populated during autograd.backward(). If you indeed want the .grad field "
                     "to be populated for a non-leaf Tensor, use .retain_grad() on the non-leaf Tensor. If you "
                     "access the non-leaf Tensor by mistake, make sure you access the leaf Tensor instead. See "
                     "github.com/pytorch/pytorch/pull/30531 for more informations."),
            ("2.9", "The .grad attribute of a Tensor that is not a leaf Tensor is being accessed. Its .grad "
                    "attribute won't be populated during autograd.backward(). If you indeed want the .grad field "
                    "to be populated for a non-leaf Tensor, use .retain_grad() on the non-leaf Tensor. If you "
                    "access the non-leaf Tensor by mistake, make sure you access the leaf Tensor instead. See "
                    "github.com/pytorch/pytorch/pull/30531 for more information."),
        ),
        doc="Warning when reading .grad of a non-leaf that does not retain grad ('informations' up to 2.8; "
            "warnings.nonleaf_grad_access, graph.nonleaf_grad_is_none_with_warning).",
        shown_by=(("torch-2.8.0", "torch-2.9.1"),),
    ),
    "tensor.scalar_conversion_warning": Feature(
        since=(
            ("1.13", None),
            ("2.8", "Converting a tensor with requires_grad=True to a scalar may lead to unexpected behavior.\n"
                    "Consider using tensor.detach() first."),
        ),
        doc="Warning (once per process) on float()/int() of a tensor that requires grad, from 2.8 "
            "(warnings.scalar_conversion_requires_grad).",
        shown_by=(("torch-2.7.1", "torch-2.8.0"),),
    ),
    "engine.input_buffer_accumulates_in_place": Feature(
        since=(("1.13", False), ("2.0", True)),
        doc="Gradients meeting in a node's input buffer are summed in place into the first one when nobody "
            "else holds it (bumping its _version) from 2.0; 1.13 always sums out of place (so a leaf's .grad "
            "built from two paths is at version 0). Seen in the grad _version of e.g. "
            "autograd_grad.several_outputs_summed.",
        shown_by=(("torch-1.13.1", "torch-2.0.1"),),
    ),
    "autograd.hooks.one_pre_hook_list": Feature(
        since=(("1.13", True), ("2.0", False)),
        doc="1.13 keeps Tensor.register_hook hooks, retain_grad's hook and Node.register_prehook hooks in one "
            "list on the node, run in registration order, and a tensor's hook dict stays on the grad_fn it had "
            "when its first hook was registered (an in-place op does not move it). From 2.0 tensor hooks run "
            "first, retain_grad's last, and hooks registered after an in-place op go to the new grad_fn. "
            "Seen in engine_order.node_hooks_vs_tensor_hooks, hooks.hooks_before_inplace_stay_with_old_value "
            "and retain_grad.runs_after_other_hooks.",
        shown_by=(("torch-1.13.1", "torch-2.0.1"),),
    ),
    "tensor.item_error": Feature(
        since=(("1.13", ("ValueError", "only one element tensors can be converted to Python scalars")),
               ("2.0", ("RuntimeError", "a Tensor with {numel} elements cannot be converted to Scalar"))),
        doc="Tensor.item() on a tensor of more than one element (errors.scalar_conversion_multi_element, "
            "conversions.item_and_tolist).",
        shown_by=(("torch-1.13.1", "torch-2.0.1"),),
    ),
    "ops.squeeze_inplace_dim_node": Feature(
        since=(("1.13", "SqueezeBackward3"), ("2.0", "SqueezeBackward4")),
        doc="The node of squeeze_(dim) (as matmul of a vector by a matrix records it): 2.0 added the "
            "squeeze.dims overloads, renumbering it (ops.matmul_1d_2d_squeeze_mm).",
        shown_by=(("torch-1.13.1", "torch-2.0.1"),),
    ),
    "ops.mean.saves_self": Feature(
        since=(("1.13", False), ("2.0", True), ("2.2", False)),
        doc="MeanBackward0 (mean() over everything) saves the input tensor in 2.0 and 2.1, so a second "
            "backward through it raises the 'backward through the graph a second time' error; 1.13 and 2.2+ "
            "save only sizes and it runs twice (errors.backward_twice_nonsaving_ops).",
        shown_by=(("torch-1.13.1", "torch-2.0.1"), ("torch-2.1.2", "torch-2.2.2")),
    ),
    "autograd.node.sequence_nr": Feature(
        since=(("1.13", False), ("2.1", True)),
        doc="Python graph nodes have _sequence_nr() from 2.1 (the harness reads creation order from it: "
            "every graph's creation_order is empty in the 1.13 and 2.0 recordings).",
        shown_by=(("torch-2.0.1", "torch-2.1.2"),),
    ),
    "tensor.rpow_wraps_scalar": Feature(
        since=(("1.13", True), ("2.1", False)),
        doc="number ** tensor: up to 2.0 Tensor.__rpow__ wraps the number in a tensor and calls pow(Tensor, "
            "Tensor), recording PowBackward1 with no edge for the number; from 2.1 it calls pow(Scalar, Tensor): "
            "PowBackward2 (ops.rpow_scalar_tensor).",
        shown_by=(("torch-2.0.1", "torch-2.1.2"),),
    ),
    "ops.reshape.contiguous_is_view": Feature(
        since=(("1.13", False), ("2.1", True)),
        doc="reshape()/flatten() of a contiguous tensor records ViewBackward0 from 2.1; up to 2.0 it goes "
            "through _reshape_alias: ReshapeAliasBackward0 (ops.view_reshape, ops.matmul_3d_3d_batched, "
            "views.shape_ops_grad_fns).",
        shown_by=(("torch-2.0.1", "torch-2.1.2"),),
    ),
    "autograd.grad.materialize_grads": Feature(
        since=(("1.13", False), ("2.1", True)),
        doc="autograd.grad(materialize_grads=...) exists from 2.1; before, passing it is a TypeError "
            "(autograd_grad.materialize_grads, errors.grad_materialize_with_allow_unused_false).",
        shown_by=(("torch-2.0.1", "torch-2.1.2"),),
    ),
    "tensor.register_post_accumulate_grad_hook": Feature(
        since=(("1.13", False), ("2.1", True)),
        doc="Tensor.register_post_accumulate_grad_hook exists from 2.1 "
            "(hooks.post_accumulate_grad_hook_sees_updated_grad).",
        shown_by=(("torch-2.0.1", "torch-2.1.2"),),
    ),
    "grad_mode.bare_decorator": Feature(
        since=(("1.13", False), ("2.1", True)),
        doc="@no_grad, @enable_grad and @inference_mode without parentheses decorate from 2.1; before, no_grad "
            "and enable_grad refuse the function (TypeError) and inference_mode takes it as its mode, so calling "
            "the result decorates the argument instead (grad_modes.no_grad_decorator_without_parentheses, "
            "inference.decorator).",
        shown_by=(("torch-2.0.1", "torch-2.1.2"),),
    ),
    "grad_mode.set_grad_enabled_decorator_restores": Feature(
        since=(("1.13", False), ("2.2", True)),
        doc="@set_grad_enabled(False) applies the mode when called; from 2.2 using it as a decorator puts the "
            "previous mode back, before it stays set (grad_modes.set_grad_enabled_decorator: 'after').",
        shown_by=(("torch-2.1.2", "torch-2.2.2"),),
    ),
    "tensor.grad_assign_type_error": Feature(
        since=(("1.13", "assigned grad expected to be a Tensor or None but got grad of type{type_name}"),
               ("2.1", "assigned grad expected to be a Tensor or None but got grad of type {type_name}")),
        doc="Assigning a non-tensor to .grad (errors.grad_assignment_checked).",
        shown_by=(("torch-2.0.1", "torch-2.1.2"),),
    ),
    "tensor.grad_assign_size_error": Feature(
        since=(("1.13", "assigned grad has data of a different size"),
               ("2.1", "attempting to assign a gradient of size '{grad_size}' to a tensor of size '{size}'. Please "
                       "ensure that the gradient and the tensor are the same size")),
        doc="Assigning a gradient of another shape to .grad (errors.grad_assignment_checked).",
        shown_by=(("torch-2.0.1", "torch-2.1.2"),),
    ),
    "tensor.grad_assign_dtype_error": Feature(
        since=(("1.13", "assigned grad has data of a different type"),
               ("2.1", "attempting to assign a gradient with dtype '{grad_dtype}' to a tensor with dtype '{dtype}'. "
                       "Please ensure that the gradient and the tensor have the same dtype"),
               ("2.10", "attempting to assign a gradient with dtype '{grad_dtype}' to a tensor with grad_dtype "
                        "'{scalar_type}'. The gradient must match the tensor's grad_dtype (defaults to the "
                        "tensor's dtype). You can set the tensor's grad_dtype attribute with a specific dtype, or "
                        "None to allow any dtype. Set grad_dtype with caution. Diverging the dtypes of a tensor and "
                        "its gradient may break downstream systems that assume they match.")),
        doc="Assigning a gradient of another dtype to .grad (errors.grad_assignment_checked); the newest text "
            "comes with the grad_dtype attribute.",
        shown_by=(("torch-2.0.1", "torch-2.1.2"), ("torch-2.9.1", "torch-2.10.0")),
    ),
    "autograd.grad.materialized_zeros_require_grad": Feature(
        since=(("1.13", True), ("2.10", False)),
        doc="The zeros autograd.grad(materialize_grads=True) makes for unused inputs require grad up to 2.9, "
            "from 2.10 only under create_graph (errors.grad_allow_unused_and_materialize).",
        shown_by=(("torch-2.9.1", "torch-2.10.0"),),
    ),
    "autograd.grad.only_inputs_warning_category": Feature(
        since=(("1.13", UserWarning), ("2.4", FutureWarning)),
        doc="The category of the warning for autograd.grad(only_inputs=False) "
            "(autograd_grad.only_inputs_false_warns).",
        shown_by=(("torch-2.3.1", "torch-2.4.1"),),
    ),
    "autograd.backward.empty_inputs_message": Feature(
        since=(("1.13", "'inputs' argument to backward() cannot be empty."),
               ("2.4", "`inputs` argument to `backward()` cannot be empty.")),
        doc="backward(inputs=[]) (errors.empty_inputs).",
        shown_by=(("torch-2.3.1", "torch-2.4.1"),),
    ),
    "autograd.grad.empty_inputs_error": Feature(
        since=(("1.13", ("ValueError", "grad requires non-empty inputs.")),
               ("2.13", ("RuntimeError", "`inputs` argument to `grad()` cannot be empty."))),
        doc="autograd.grad(y, []) (errors.empty_inputs).",
        shown_by=(("torch-2.12.0", "torch-2.13.0"),),
    ),
    "optim.sgd.default_lr": Feature(
        since=(("1.13", False), ("2.2", True)),
        doc="SGD's lr has a default (1e-3) from 2.2; before, it is required and an optimizer built without "
            "one fails (optim.sgd_default_lr).",
        shown_by=(("torch-2.1.2", "torch-2.2.2"),),
    ),
    "optim.sgd.fused_option": Feature(
        since=(("1.13", False), ("2.3", True)),
        doc="SGD takes fused= (and param groups carry a 'fused' key, shown by repr) from 2.3 "
            "(optim.param_groups_and_defaults, optim.repr, optim.add_param_group).",
        shown_by=(("torch-2.2.2", "torch-2.3.1"),),
    ),
    "optim.sgd.state_without_momentum": Feature(
        since=(("1.13", True), ("2.4", False)),
        doc="Up to 2.3 SGD's step stores state['momentum_buffer'] = None for every parameter even without "
            "momentum; from 2.4 it keeps no state then (optim.no_momentum_no_state).",
        shown_by=(("torch-2.3.1", "torch-2.4.1"),),
    ),
    "tensor.inference_saved_message": Feature(
        since=(("1.13", "Inference tensors cannot be saved for backward. To work around you can make a clone to "
                        "get a normal tensor and use it in autograd."),
               ("2.9", "Inference tensors cannot be saved for backward. Please do not use Tensors created in "
                       "inference mode in computation tracked by autograd. To work around this, you can make a "
                       "clone to get a normal tensor and use it in autograd, or use `torch.no_grad()` instead of "
                       "`torch.inference_mode()`.")),
        doc="An inference tensor used in an op that saves it for backward (inference.used_in_autograd_outside_errors).",
        shown_by=(("torch-2.8.0", "torch-2.9.1"),),
    ),
    "tensor.copy_construct_warning": Feature(
        since=(("1.13", "To copy construct from a tensor, it is recommended to use sourceTensor.clone().detach() or "
                        "sourceTensor.clone().detach().requires_grad_(True), rather than torch.tensor(sourceTensor)."),
               ("2.7", "To copy construct from a tensor, it is recommended to use sourceTensor.detach().clone() or "
                       "sourceTensor.detach().clone().requires_grad_(True), rather than torch.tensor(sourceTensor).")),
        doc="torch.tensor(a_tensor) warns (warnings.tensor_copy_construct).",
        shown_by=(("torch-2.6.0", "torch-2.7.1"),),
    ),
    "indexing.full_slice_recorded": Feature(
        since=(("1.13", True), ("2.9", False)),
        doc="A ':' that takes a whole dimension inside a multi-part index (x[:, 1]) records a SliceBackward0 "
            "up to 2.8; from 2.9 it is skipped (ops.indexing_basic, views.gradients_through_views).",
        shown_by=(("torch-2.8.0", "torch-2.9.1"),),
    ),
    "printing.width_ignores_forced_sci_mode": Feature(
        since=(("1.13", True), ("2.9", False)),
        doc="With set_printoptions(sci_mode=...) forced, up to 2.8 the column width is still the one torch's "
            "automatic choice would need (tensor([ 100000.,       1.]) with sci_mode=False); from 2.9 it fits "
            "the forced format (printing.set_printoptions_precision).",
        shown_by=(("torch-2.8.0", "torch-2.9.1"),),
    ),
    "ops.clamp.ties": Feature(
        since=(("1.13", False), ("2.14", True)),
        doc="clamp's gradient where the input equals a bound: up to 2.13 the bounds are inclusive (the input "
            "gets the whole gradient); from 2.14 an input on a number bound gets none (ClampBackward1, "
            "ClampMin/MaxBackward0) and, with tensor bounds, input and bound share it half each, the gradients "
            "built by a masked_fill_ (so at _version 1). The recordings show ops.clamp_scalar_bounds' values "
            "and ops.clamp_tensor_bounds' _version; the tensor-bound ties and clamp_min/clamp_max were checked "
            "by hand on the torch 2.14.1 install (no catalogue behaviour has those ties yet).",
        shown_by=(("torch-2.13.0", "torch-2.14.1"),),
    ),
    "ops.mm.error_messages": Feature(
        since=(("1.13", ("mat1 and mat2 shapes cannot be multiplied ({a0}x{a1} and {b0}x{b1})",
                         "{arg} must be a matrix")),
               ("2.15", ("mm: mat1 and mat2 shapes cannot be multiplied ({a0}x{a1} and {b0}x{b1})",
                         "mm: {arg} must be a matrix, got {ndim}-D tensor"))),
        doc="mm's shape errors, also raised through matmul: from 2.15 they name the op ('mm: ...') and a "
            "non-matrix operand's rank (errors.shape_matrix_ops shows the shapes text; the rank text was "
            "checked by hand on the torch 2.15.0 install, no catalogue behaviour shows it yet).",
        shown_by=(("torch-2.14.1", "torch-2.15.0"),),
    ),
    "indexing.setitem_number_fills": Feature(
        since=(("1.13", False), ("2.15", True)),
        doc="Assigning a Python number (t[index] = 0.0): up to 2.14 torch wraps it in a 0-d tensor and copies "
            "or index_puts it, so the node has a second, None edge for that tensor (CopySlices around "
            "FillBackward3, IndexPutBackward0); from 2.15 it fills with the number: fill_ (FillBackward2, "
            "CopySlices for a view), masked_fill_ for a boolean mask (MaskedFillBackward0), index_fill_ for a "
            "single integer index (IndexFillBackward0), each with only the edge of the tensor written; several "
            "index tensors still go through index_put_, and a tensor value is unchanged "
            "(views.setitem_basic_index_nonleaf, views.setitem_index_list_and_mask; the other index shapes were "
            "checked by hand on the torch 2.15.0 install).",
        shown_by=(("torch-2.14.1", "torch-2.15.0"),),
    ),
}

_emulated: list = [None]
_VERSION = re.compile(r"^(?:torch-)?(\d+)\.(\d+)(?:\.(\d+))?(?:[+.a-z].*)?$")


def _parse(version: str) -> tuple:
    """'2.5.1', '2.5', '2.13.0+cpu', 'torch-2.5.1' -> (2, 5, 1); ValueError for anything else."""
    match = _VERSION.match(str(version).strip())
    if not match:
        raise ValueError(f"reference_impl: {version!r} is not a torch version (expected e.g. '2.5.1')")
    return tuple(int(part or 0) for part in match.groups())


NEWEST_RECORDED = max(RECORDED, key=_parse)


def installed_torch_version() -> str | None:
    try:
        return metadata.version("torch").split("+")[0]
    except metadata.PackageNotFoundError:
        return None


def emulated_version() -> str:
    """The torch version reference_impl behaves like now (see the module doc for how it is chosen)."""
    return _emulated[0] or os.environ.get(ENV_VAR) or installed_torch_version() or NEWEST_RECORDED


def emulate(version: str | None) -> None:
    """Behave like torch ``version`` ("2.5.1", "2.5" or "torch-2.5.1") from now on, in this process;
    None goes back to the default (``REFERENCE_IMPL_TORCH_VERSION``, the installed torch, else the newest
    recorded). Versions before 1.13 are refused: nothing older was recorded."""
    if version is not None:
        version = str(version).strip()
        if version.startswith("torch-"):
            version = version[len("torch-"):]
        if _parse(version) < _parse(OLDEST_SUPPORTED):
            raise ValueError(f"reference_impl emulates torch {OLDEST_SUPPORTED} and later, not {version}")
    _emulated[0] = version
    _cache.clear()


_cache: dict = {}


def value(name: str):
    """The value of feature ``name`` for the emulated torch version."""
    try:
        return _cache[name]
    except KeyError:
        pass
    version = emulated_version()
    try:
        current = _parse(version)
    except ValueError:
        raise ValueError(f"reference_impl: cannot emulate torch {version!r} (from {ENV_VAR} or emulate()); "
                         f"expected a version such as '2.5.1'") from None
    since = FEATURES[name].since
    chosen = since[0][1]  # older than anything recorded: the oldest known behaviour
    for first, val in since:
        if _parse(first) <= current:
            chosen = val
    _cache[name] = chosen
    return chosen


class method_since:
    """A method that exists only in the torch releases where feature ``name`` is true (before that, reading
    it raises AttributeError exactly as a missing attribute does)."""

    def __init__(self, name: str) -> None:
        self.feature = name

    def __call__(self, function):
        self.function = function
        self.name = function.__name__
        self.__doc__ = function.__doc__
        return self

    def __get__(self, instance, owner=None):
        if not value(self.feature):
            target = instance if instance is not None else owner
            text = (f"'{type(instance).__name__}' object has no attribute '{self.name}'" if instance is not None
                    else f"type object '{owner.__name__}' has no attribute '{self.name}'")
            raise AttributeError(text, name=self.name, obj=target)
        return self.function.__get__(instance, owner)
