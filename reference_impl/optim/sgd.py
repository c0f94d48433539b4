"""SGD with momentum, dampening, weight decay, Nesterov and maximize, as torch.optim.SGD."""
from __future__ import annotations

from .. import _behaviour, _grad_mode
from .._tensor import Tensor
from .optimizer import Optimizer, no_grad_step, required

_UNSET = object()


class SGD(Optimizer):
    def __init__(self, params, lr=_UNSET, momentum=0, dampening=0, weight_decay=0, nesterov=False, *,
                 maximize=False, foreach=None, differentiable=False, fused=_UNSET) -> None:
        if lr is _UNSET:  # a default learning rate from torch 2.2; before, every group must name one
            lr = 1e-3 if _behaviour.value("optim.sgd.default_lr") else required
        has_fused = _behaviour.value("optim.sgd.fused_option")
        if fused is not _UNSET and not has_fused:
            raise TypeError("SGD.__init__() got an unexpected keyword argument 'fused'")
        if isinstance(lr, Tensor) and lr.numel() != 1 and _behaviour.value("optim.sgd.tensor_lr_numel_check"):
            raise ValueError("Tensor lr must be 1-element")
        if lr is not required and lr < 0.0:
            raise ValueError(f"Invalid learning rate: {lr}")
        if momentum < 0.0:
            raise ValueError(f"Invalid momentum value: {momentum}")
        if weight_decay < 0.0:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        defaults = {"lr": lr, "momentum": momentum, "dampening": dampening, "weight_decay": weight_decay,
                    "nesterov": nesterov, "maximize": maximize, "foreach": foreach,
                    "differentiable": differentiable}
        if has_fused:
            defaults["fused"] = None if fused is _UNSET else fused
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening")
        super().__init__(params, defaults)

    @no_grad_step
    def step(self, closure=None):
        loss = None
        if closure is not None:
            with _grad_mode.enable_grad():
                loss = closure()
        for group in self.param_groups:
            for param in group["params"]:
                if param.grad is not None:
                    self._update(param, group)
        return loss

    def _update(self, param, group) -> None:
        """torch's _single_tensor_sgd for one parameter."""
        grad = param.grad if not group["maximize"] else -param.grad
        weight_decay, momentum = group["weight_decay"], group["momentum"]
        if weight_decay != 0:
            grad = grad.add(param, alpha=weight_decay)
        if momentum == 0 and _behaviour.value("optim.sgd.state_without_momentum"):
            self.state[param]["momentum_buffer"] = None  # torch up to 2.3 stored the (absent) buffer anyway
        if momentum != 0:
            state = self.state[param]
            buf = state.get("momentum_buffer")
            if buf is None:
                buf = grad.detach().clone()
                state["momentum_buffer"] = buf
            else:
                buf.mul_(momentum).add_(grad, alpha=1 - group["dampening"])
            grad = grad.add(buf, alpha=momentum) if group["nesterov"] else buf
        param.add_(grad, alpha=-group["lr"])
