"""Named results of ops like max(dim), as ``torch.return_types``."""
from __future__ import annotations


def _structseq(name: str, fields: tuple):
    def __new__(cls, values):
        values = tuple(values)
        if len(values) != len(fields):
            raise TypeError(f"torch.return_types.{name}() takes a {len(fields)}-sequence ({len(values)}-sequence given)")
        return tuple.__new__(cls, values)

    def __repr__(self):
        body = ",\n".join(f"{field}={value!r}" for field, value in zip(fields, self))
        return f"torch.return_types.{name}(\n{body})"

    namespace = {"__new__": __new__, "__repr__": __repr__, "__slots__": (), "n_fields": len(fields),
                 "__module__": "torch.return_types"}
    for index, field in enumerate(fields):
        namespace[field] = property(lambda self, i=index: self[i])
    return type(name, (tuple,), namespace)


max = _structseq("max", ("values", "indices"))  # noqa: A001 - torch's name
min = _structseq("min", ("values", "indices"))  # noqa: A001
