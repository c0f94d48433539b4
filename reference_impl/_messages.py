"""torch's error and warning texts, byte for byte (torch 2.13/2.14).

Texts that differ between torch releases are not here: they live in
``_behaviour.py``, keyed by feature and version.
"""

BACKWARD_TWICE = (
    "Trying to backward through the graph a second time (or directly access saved tensors after they "
    "have already been freed). Saved intermediate values of the graph are freed when you call .backward() "
    "or autograd.grad(). Specify retain_graph=True if you need to backward through the graph a second time "
    "or if you need to access saved tensors after calling backward."
)
IMPLICIT_GRAD_NOT_SCALAR = "grad can be implicitly created only for scalar outputs"
IMPLICIT_GRAD_NOT_REAL = "grad can be implicitly created only for real scalar outputs but got {dtype}"
NO_GRAD_FN = "element {index} of tensors does not require grad and does not have a grad_fn"
GRAD_SHAPE_MISMATCH = (
    "Mismatch in shape: grad_output[{index}] has a shape of {grad_shape} and output[{index}] has a shape of {out_shape}."
)
GRADIENT_TYPE = "gradients can be either Tensors or None, but got {type_name}"
INVALID_GRADIENT = "invalid gradient at index {index} - got {got} but expected shape compatible with {expected}"
INVALID_GRADIENT_COUNT = "invalid number of gradients - expected {expected}, but got {got}"
HOOK_CHANGED_TYPE = "hook '{hook}' has changed the type of value (was {was} got {got})"
HOOK_CHANGED_SIZE = "hook '{hook}' has changed the size of value"
HOOK_REPLACED_NONE = "can't replace a None gradient with a non-None value"
HOOK_NOT_TENSOR = "expected Variable, but hook returned '{type_name}'"
HOOK_NOT_TUPLE = "expected tuple, but hook returned '{type_name}'"
HOOK_WRONG_COUNT = "hook '{hook}' has returned an incorrect number of values (got {got}, but expected {expected})"

LEAF_INPLACE = "a leaf Variable that requires grad is being used in an in-place operation."
LEAF_VIEW_INPLACE = "a view of a leaf Variable that requires grad is being used in an in-place operation."
NO_GRAD_VIEW_INPLACE = (
    "A view was created in no_grad mode and is being modified inplace with grad mode enabled. Given that this "
    "use case is ambiguous and error-prone, it is forbidden. You can clarify your code by moving both the view "
    "and the inplace either both inside the no_grad block (if you don't want the inplace to be tracked) or both "
    "outside (if you want the inplace to be tracked)."
)
MULTI_OUTPUT_VIEW_INPLACE = (
    "Output {output_nr} of {node} is a view and is being modified inplace. This view is the output of a function "
    "that returns multiple views. Such functions do not allow the output views to be modified inplace. You should "
    "replace the inplace operation by an out-of-place one."
)

NONLEAF_REQUIRES_GRAD = "you can only change requires_grad flags of leaf variables."
NONLEAF_REQUIRES_GRAD_FALSE = (
    "you can only change requires_grad flags of leaf variables. If you want to use a computed variable in a "
    "subgraph that doesn't require differentiation use var_no_grad = var.detach()."
)
FACTORY_REQUIRES_GRAD_DTYPE = "Only Tensors of floating point and complex dtype can require gradients"
SET_REQUIRES_GRAD_DTYPE = "only Tensors of floating point and complex dtype can require gradients"
REQUIRES_GRAD_METHOD_DTYPE = "only Tensors of floating point dtype can require gradients"

NUMPY_REQUIRES_GRAD = "Can't call numpy() on Tensor that requires grad. Use tensor.detach().numpy() instead."
SCALAR_CONVERSION = "only one element tensors can be converted to Python scalars"

DIFFERENTIATED_NO_GRAD = "One of the differentiated Tensors does not require grad"
RETAIN_GRAD_NO_GRAD = "can't retain_grad on Tensor that has requires_grad=False"
HOOK_NO_GRAD = "cannot register a hook on a tensor that doesn't require gradient"
MATERIALIZE_ALLOW_UNUSED = (
    "Expected allow_unused to be True or not passed when materialize_grads=True, but got: allow_unused=False."
)
DETACH_VIEW_INPLACE = (
    "Can't detach views in-place. Use detach() instead. If you are using DistributedDataParallel (DDP) for "
    "training, and gradient_as_bucket_view is set as True, gradients are views of DDP buckets, and hence "
    "detach_() cannot be called on these gradients. To fix this error, please refer to the Optimizer.zero_grad() "
    "function in torch/optim/optimizer.py as the solution."
)
BACKWARD_CREATE_GRAPH = (
    "Using backward() with create_graph=True will create a reference cycle between the parameter and its gradient "
    "which can cause a memory leak. We recommend using autograd.grad when creating the graph to avoid this. If you "
    "have to use this function, make sure to reset the .grad fields of your parameters to None after use to break "
    "the cycle and avoid the leak."
)

SAVED_DETACHED_INPLACE = (
    "Trying to use a saved tensor that has been detached in-place, i.e. with .detach_().This is not supported, "
    "please use out-of-place `.detach()` instead"
)

SHAPE_INVALID = "shape '{shape}' is invalid for input of size {numel}"
VIEW_STRIDE = (
    "view size is not compatible with input tensor's size and stride (at least one dimension spans across two "
    "contiguous subspaces). Use .reshape(...) instead."
)
BROADCAST = "The size of tensor a ({a}) must match the size of tensor b ({b}) at non-singleton dimension {dim}"
DIM_OUT_OF_RANGE = "Dimension out of range (expected to be in range of [{low}, {high}], but got {dim})"

INFERENCE_INPLACE = (
    "Inplace update to inference tensor outside InferenceMode is not allowed.You can make a clone to get a normal "
    "tensor before doing inplace update.See https://github.com/pytorch/rfcs/pull/17 for more details."
)
CUSTOM_FUNCTION_VIEW_INPLACE = (  # ends the view rebase error for a view returned by a custom Function
    " This view was created inside a custom Function (or because an input was returned as-is) and the autograd "
    "logic to handle view+inplace would override the custom backward associated with the custom Function, leading "
    "to incorrect gradients. This behavior is forbidden. You can fix this by cloning the output of the custom "
    "Function."
)
