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
    "grad_mode.class_decoration_warning_category": Feature(
        since=(("1.13", UserWarning), ("2.4", FutureWarning)),
        doc="The category of the 'Decorating classes is deprecated' warning (grad_modes.decorating_a_class).",
        shown_by=(("torch-2.3.1", "torch-2.4.1"),),
    ),
    "printing.invalid_grad_fn": Feature(
        since=(("1.13", False), ("2.2", True)),
        doc="repr of a view whose grad_fn raises (a no_grad view modified in place): grad_fn=<Invalid> from 2.2; "
            "before, repr raises the grad_fn error (printing.invalid_view_repr, views.inplace_view_ops_creation_meta).",
        shown_by=(("torch-2.1.2", "torch-2.2.2"),),
    ),
    "tensor.resize_is_inplace": Feature(
        since=(("1.13", False), ("2.1", True)),
        doc="resize_/resize_as_ that change the sizes bump _version and are refused on an inference tensor outside "
            "inference mode from 2.1; before, neither (resize_ of an inference tensor that requires grad is "
            "allowed too) (tensor.resize_version_bump, inference.inplace_view_and_resize_ops).",
        shown_by=(("torch-2.0.1", "torch-2.1.2"),),
    ),
    "saved_tensor.detached_inplace_message": Feature(
        since=(("1.13", 'saved_for INTERNAL ASSERT FAILED at "../torch/csrc/autograd/saved_variable.cpp":146, please '
                        'report a bug to PyTorch. No grad_fn for non-leaf saved tensor'),
               ("2.0", None)),
        doc="Backward through a saved non-leaf input that was detach_()ed: torch 1.13 fails an internal assert "
            "instead of the 'saved tensor that has been detached in-place' error (None: the regular message) "
            "(errors.saved_input_detached_in_place).",
        shown_by=(("torch-1.13.1", "torch-2.0.1"),),
    ),
    "autograd.graph.node_class": Feature(
        since=(("1.13", False), ("2.0", True)),
        doc="torch.autograd.graph.Node exists from 2.0 (function.node_isinstance).",
        shown_by=(("torch-1.13.1", "torch-2.0.1"),),
    ),
    "ops.squeeze_inplace_dim_node": Feature(
        since=(("1.13", "SqueezeBackward3"), ("2.0", "SqueezeBackward4")),
        doc="The node of squeeze_(dim) (as matmul of a vector by a matrix records it): 2.0 added the "
            "squeeze.dims overloads, renumbering it (ops.matmul_1d_2d_squeeze_mm).",
        shown_by=(("torch-1.13.1", "torch-2.0.1"),),
    ),
    "ops.squeeze_inplace_dims_tuple": Feature(
        since=(("1.13", False), ("2.0", True)),
        doc="squeeze_ with a tuple of dims: 2.0 added the squeeze_.dims overload; 1.13's argument parser "
            "refuses the tuple with its listing of the three signatures it has (ops.squeeze_inplace_dims_tuple).",
        shown_by=(("torch-1.13.1", "torch-2.0.1"),),
    ),
    "ops.squeeze_inplace_node": Feature(
        since=(("1.13", "SqueezeBackward2"), ("2.0", "SqueezeBackward3")),
        doc="The node of squeeze_() (no dim, tensor.guard_inplace_squeeze_all): renumbered with squeeze_(dim) "
            "when 2.0 added the squeeze.dims overloads (the 1.13 name follows from ops.squeeze_inplace_dim_node; "
            "not yet recorded on 1.13).",
        shown_by=(("torch-1.13.1", "torch-2.0.1"),),
    ),
    "grad_mode.class_decoration_warns": Feature(
        since=(("1.13", False), ("2.0", True)),
        doc="@no_grad() (or any grad-mode decorator) on a class: from 2.0 a FutureWarning 'Decorating classes is "
            "deprecated', the class wrapped in a lambda (grad_modes.decorating_a_class); 1.13 wraps the class "
            "silently. Not yet recorded on 1.13 / 2.0.",
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
    "autograd.set_multithreading_enabled": Feature(
        since=(("1.13", False), ("2.0", True)),
        doc="torch.autograd.set_multithreading_enabled exists from 2.0.",
        shown_by=(("torch-1.13.1", "torch-2.0.1"),),
    ),
    "autograd.is_multithreading_enabled": Feature(
        since=(("1.13", False), ("2.1", True)),
        doc="torch.autograd.is_multithreading_enabled exists from 2.1.",
        shown_by=(("torch-2.0.1", "torch-2.1.2"),),
    ),
    "function.returned_input_saved_article": Feature(
        since=(("1.13", "A input"), ("2.13", "An input")),
        doc="The setup_context error for an input returned as-is and saved: 'A input ...' until 2.12, 'An input' "
            "from 2.13 (function.setup_context_input_returned_saved_error).",
        shown_by=(("torch-2.12.0", "torch-2.13.0"),),
    ),
    "function.setup_context": Feature(
        since=(("1.13", False), ("2.0", True)),
        doc="Function.setup_context exists from 2.0; 1.13 always calls forward(ctx, *args), so a ctx-less forward "
            "is a TypeError (function.setup_context_simple, function.setup_context_multi_output).",
        shown_by=(("torch-1.13.1", "torch-2.0.1"),),
    ),
    "function.setup_context_binds_defaults": Feature(
        since=(("1.13", False), ("2.2", True)),
        doc="setup_context gets forward's arguments with defaults bound from 2.2; before, only those passed to "
            "apply (function.setup_context_multi_input).",
        shown_by=(("torch-2.1.2", "torch-2.2.2"),),
    ),
    "function.returned_input_saved_check": Feature(
        since=(("1.13", False), ("2.1", True)),
        doc="With setup_context, saving an input returned as-is raises from 2.1; 2.0 allows it "
            "(function.setup_context_input_returned_saved_error).",
        shown_by=(("torch-2.0.1", "torch-2.1.2"),),
    ),
    "function.materialize_non_diff_grads": Feature(
        since=(("1.13", False), ("2.1", True)),
        doc="ctx._materialize_non_diff_grads = False is honoured from 2.1; before, backward gets zeros "
            "(function.materialize_non_diff_grads_false).",
        shown_by=(("torch-2.0.1", "torch-2.1.2"),),
    ),
    "function.dirty_untracked_input_as_view": Feature(
        since=(("1.13", True), ("2.0", False)),
        doc="A dirty input returned by an untracked Function comes back as a view of itself in 1.13, as-is from "
            "2.0 (function.mark_dirty_returned_as_is).",
        shown_by=(("torch-1.13.1", "torch-2.0.1"),),
    ),
    "function.mark_dirty_rebase_assert": Feature(
        since=(("1.13", 'creation_meta == CreationMeta::DEFAULT INTERNAL ASSERT FAILED at '
                        '"../torch/csrc/autograd/variable.cpp":201, please report a bug to PyTorch. '),
               ("2.0", 'creation_meta == CreationMeta::DEFAULT INTERNAL ASSERT FAILED at '
                       '"../torch/csrc/autograd/variable.cpp":203, please report a bug to PyTorch. '),
               ("2.1", 'creation_meta == CreationMeta::DEFAULT INTERNAL ASSERT FAILED at '
                       '"../torch/csrc/autograd/variable.cpp":201, please report a bug to PyTorch. '),
               ("2.3", 'creation_meta == CreationMeta::DEFAULT INTERNAL ASSERT FAILED at '
                       '"../torch/csrc/autograd/variable.cpp":224, please report a bug to PyTorch. '),
               ("2.4", 'creation_meta == CreationMeta::DEFAULT INTERNAL ASSERT FAILED at '
                       '"../torch/csrc/autograd/variable.cpp":225, please report a bug to PyTorch. '),
               ("2.5", 'creation_meta == CreationMeta::DEFAULT INTERNAL ASSERT FAILED at '
                       '"../torch/csrc/autograd/variable.cpp":224, please report a bug to PyTorch. '),
               ("2.6", 'creation_meta == CreationMeta::DEFAULT INTERNAL ASSERT FAILED at '
                       '"/pytorch/torch/csrc/autograd/variable.cpp":224, please report a bug to PyTorch. '),
               ("2.8", None)),
        doc="Up to 2.7 mark_dirty skips check_inplace: a dirty view of a leaf is rebased (no error), a dirty "
            "view not made in grad mode (or of a multi-view op) hits this rebase_history assert, and a "
            "non-input only warns; from 2.8 the check_inplace errors (function.mark_dirty_view_of_leaf_error, "
            "function.mark_dirty_multi_output_view_error, function.mark_dirty_view_not_input_error).",
        shown_by=(("torch-1.13.1", "torch-2.0.1"), ("torch-2.0.1", "torch-2.1.2"), ("torch-2.2.2", "torch-2.3.1"),
                  ("torch-2.3.1", "torch-2.4.1"), ("torch-2.4.1", "torch-2.5.1"), ("torch-2.5.1", "torch-2.6.0"),
                  ("torch-2.7.1", "torch-2.8.0")),
    ),
    "function.dirty_saved_view_as_input": Feature(
        since=(("1.13", True), ("2.10", False)),
        doc="A dirty view saved for backward is saved as an input (with its history: a reference cycle) up to "
            "2.9, as an output from 2.10 (function.dirty_saved_view_no_cycle).",
        shown_by=(("torch-2.9.1", "torch-2.10.0"),),
    ),
    "function.clear_saved_tensors_on_access": Feature(
        since=(("1.13", False), ("2.11", True)),
        doc="Function.clear_saved_tensors_on_access is honoured from 2.11; before, it does nothing "
            "(function.clear_saved_tensors_on_access_once, function.clear_saved_tensors_on_access_double_access_error).",
        shown_by=(("torch-2.10.0", "torch-2.11.0"),),
    ),
    "function.saved_tensors_freed_with_node": Feature(
        since=(("1.13", True), ("2.13", False)),
        doc="Up to 2.12 a ctx outliving its node (no output or graph holds it any more) has its saved tensors "
            "freed: saved_tensors raises the backward-twice error (function.saved_none_and_freed).",
        shown_by=(("torch-2.12.0", "torch-2.13.0"),),
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
    "autograd.backward.grad_variables_texts": Feature(
        since=(("1.13", ("UserWarning", "'grad_variables' is deprecated. Use 'grad_tensors' instead.",
                         "'grad_tensors' and 'grad_variables' (deprecated) arguments both passed to backward(). "
                         "Please only use 'grad_tensors'.")),
               ("2.4", ("FutureWarning", "`grad_variables` is deprecated. Use `grad_tensors` instead.",
                         "`grad_tensors` and `grad_variables` (deprecated) arguments both passed to `backward()`. "
                         "Please only use `grad_tensors`."))),
        doc="autograd.backward(grad_variables=...): the deprecation warning's category and text, and the error "
            "when grad_tensors is passed too; old releases quote with '...', newer ones with backticks and warn "
            "FutureWarning from 2.4 (autograd_grad.backward_grad_variables_deprecated).",
        shown_by=(("torch-2.3.1", "torch-2.4.1"),),
    ),
    "autograd.non_tensor_input_message": Feature(
        since=(("1.13", "all inputs have to be Tensors, but got {type_name}"),
               ("2.2", "all inputs have to be Tensors or GradientEdges, but got {type_name}")),
        doc="autograd.grad / backward(inputs=...) given an input that is not a tensor (before 2.13 a dict's keys, "
            "autograd_grad.inputs_mapping_types; 2.13+ no longer reach it in that scenario): GradientEdge inputs "
            "came in 2.2.",
        shown_by=(("torch-2.1.2", "torch-2.2.2"),),
    ),
    "autograd.inputs_mapping": Feature(
        since=(("1.13", False), ("2.13", True)),
        doc="autograd.grad / backward accept a dict as inputs (grad then returns a dict keyed like it) and "
            "refuse other Mapping types with a TypeError from 2.13; up to 2.12 any Mapping is iterated like a "
            "sequence, so its keys are the inputs ('all inputs have to be Tensors..., but got str') "
            "(autograd_grad.inputs_mapping_types; tested live on 2.11.0, 2.12.0 and 2.13.0).",
        shown_by=(("torch-2.12.0", "torch-2.13.0"),),
    ),
    "printing.edgeitems_zero_size_suffix": Feature(
        since=(("1.13", False), ("2.1", True)),
        doc="A summarised 1-D tensor printed with edgeitems=0: newer torch prints [...] and a size=(n,) suffix; "
            "older torch slices data[-0:] (the whole vector), so it prints ' ...' followed by every element and "
            "no size (printing.edgeitems_zero).",
        shown_by=(("torch-2.0.1", "torch-2.1.2"),),
    ),
    "views.no_grad_view_of_view_message": Feature(
        since=(("1.13", '!grad_fn INTERNAL ASSERT FAILED at "../torch/csrc/autograd/variable.cpp":792, please '
                        'report a bug to PyTorch. '),
               ("2.0", None)),
        doc="In-place on a view (with a grad_fn) of a view made under no_grad: torch 1.13 fails an internal assert "
            "in handle_view_on_rebase instead of the 'Output 0 of ... is a view of a view which was created in "
            "no_grad mode' error (None: the regular message) (views.view_of_no_grad_view_inplace_error; tested "
            "live on 1.13.1 and 2.0.1).",
        shown_by=(("torch-1.13.1", "torch-2.0.1"),),
    ),
    "copy_slices.always_accumulates_other_inputs": Feature(
        since=(("1.13", True), ("2.0", False)),
        doc="An in-place op on a view (CopySlices): in torch 1.13 every graph task through the CopySlices node "
            "accumulates into .grad of the other leaf inputs of the wrapped op, even autograd.grad and "
            "backward(inputs=...) that do not ask for them; from 2.0 only the needed ones "
            "(views.copy_slices_grad_selected_inputs; tested live on 1.13.1 and 2.0.1).",
        shown_by=(("torch-1.13.1", "torch-2.0.1"),),
    ),
    "errors.bool_subtraction_type": Feature(
        since=(("1.13", "RuntimeError"), ("2.14", "NotImplementedError")),
        doc="The exception type of subtracting with a bool tensor (sub_check: 'with two bool tensors' / 'with a "
            "bool tensor is not supported'): RuntimeError up to 2.13, NotImplementedError from 2.14, same text "
            "(errors.bool_subtraction; tested live on 1.13.1, 2.0.1, 2.1.2, 2.10.0, 2.11.0, 2.12.0, 2.13.0 (old) "
            "and 2.14.1, 2.15.0 (new)).",
        shown_by=(("torch-2.13.0", "torch-2.14.1"),),
    ),
    "function.instantiation_warning_names_caller": Feature(
        since=(("1.13", False), ("2.3", True)),
        doc="The DeprecationWarning of instantiating an autograd.Function names the line that instantiated it "
            "from 2.3 (stacklevel=2); up to 2.2 it names torch/autograd/function.py itself "
            "(function.instantiation_warning_points_at_caller).",
        shown_by=(("torch-2.2.2", "torch-2.3.1"),),
    ),
    "errors.bitwise_float_type": Feature(
        since=(("1.13", "RuntimeError"), ("2.8", "NotImplementedError")),
        doc="The exception type of a bitwise op on a float tensor ('\"bitwise_or_cpu\" not implemented for "
            "'Float''), also with the number on the left (1 | t): RuntimeError up to 2.7, NotImplementedError "
            "from 2.8, same text (ops.bitwise_reflected_operands).",
        shown_by=(("torch-2.7.1", "torch-2.8.0"),),
    ),
    "optim.sgd.tensor_lr_numel_check": Feature(
        since=(("1.13", False), ("2.5", True)),
        doc="SGD with a tensor lr of more than one element: newer torch refuses it with ValueError('Tensor lr must "
            "be 1-element'); older torch has no such check, so 'lr < 0.0' on it raises RuntimeError('Boolean "
            "value of Tensor with more than one value is ambiguous') (optim.sgd_tensor_lr), from 2.5.",
        shown_by=(("torch-2.4.1", "torch-2.5.1"),),
    ),
    "indexing.setitem_full_slice_skipped": Feature(
        since=(("1.13", False), ("2.9", True)),
        doc="t[:] = value (a lone slice over the whole first dim): newer torch's set_item skips the slice and "
            "copies into t itself (CopyBackwards); older torch skips only a slice whose written stop is the size "
            "itself (t[0:3] = 5.0 fills t: FillBackward3), so t[:] writes through a slice view (CopySlices) "
            "(views.setitem_leading_slice), from 2.9.",
        shown_by=(("torch-2.8.0", "torch-2.9.1"),),
    ),
    "indexing.int32_index_tensors": Feature(
        since=(("1.13", False), ("2.0", True)),
        doc="Advanced indexing with an int32 index tensor: refused in 1.13 ('tensors used as indices must be "
            "long, byte or bool tensors'), accepted from 2.0, where the refusal of other dtypes reads 'long, int, "
            "byte or bool tensors' (errors.index_out_of_bounds_texts shows the float text; tested live on 1.13.1 "
            "and 2.0.1 onwards).",
        shown_by=(("torch-1.13.1", "torch-2.0.1"),),
    ),
    "ops.gather_scatter.int32_index": Feature(
        since=(("1.13", False), ("2.8", True)),
        doc="gather/scatter/scatter_/scatter_add_ index dtype: older torch wants int64 ('gather(): Expected dtype "
            "int64 for index', 'scatter(): ...' for the scatter family); newer torch also accepts int32 and says "
            "'Expected dtype int32/int64 for index' for any other dtype (float, int16) (ops.gather_scatter_index_dtype). "
            "From 2.8.",
        shown_by=(("torch-2.7.1", "torch-2.8.0"),),
    ),
    "ops.linalg.legacy_mm_mv_messages": Feature(
        since=(("1.13", True), ("2.1", False)),
        doc="mm of different dtypes and mv of mismatched sizes: 'expected scalar type Float but found Double' and "
            "'size mismatch, got 2, 2x3,4' up to 2.0; 'expected m1 and m2 to have the same dtype, but got: float != "
            "double' and 'size mismatch, got input (2), mat (2x3), vec (4)' from 2.1 (errors.matmul_family_error_texts; "
            "tested live on 1.13.1, 2.0.1 (old) and 2.1.2 onwards (new)).",
        shown_by=(("torch-2.0.1", "torch-2.1.2"),),
    ),
    "ops.matmul.fold_rule": Feature(
        since=(("1.13", "1.13"), ("2.1", "2.1")),
        doc="matmul's choice between one mm/mv over a folded batch and bmm. '1.13' (up to 2.0): should_fold(t, "
            "other_dim) folds whenever one operand is >= 3-D and the other 1-D/2-D, except a 3-D @ 2-D whose first "
            "operand has its last two dims transposed; and a size-1 batch is never squeezed (3-D @ 3-D is bmm over "
            "expanded operands). '2.1' (from 2.1): the should_fold of _should_fold (the small operand needing grad, "
            "or foldable strides) and the size-1 batch of an operand requiring grad squeezed "
            "(ops.matmul_1d_and_2d_with_3d, ops.matmul_3d_with_1d_strided, ops.matmul_3d_batch_one_and_strided, "
            "and the 'size mismatch, got 6, 6x4,5' of errors.matmul_family_error_texts; tested live on 1.13.1, "
            "2.0.1 (old) and 2.1.2 onwards (new)).",
        shown_by=(("torch-2.0.1", "torch-2.1.2"),),
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


def module_names_since(torch_module: str, names: dict):
    """A module ``__getattr__`` for functions a torch release added: ``names`` maps a name to (feature,
    object); reading it where the feature is false raises AttributeError as a missing name does."""
    def __getattr__(name):
        entry = names.get(name)
        if entry is not None and value(entry[0]):
            return entry[1]
        raise AttributeError(f"module '{torch_module}' has no attribute '{name}'")
    return __getattr__


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
