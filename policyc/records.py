"""Records: the classes of the syntax tree, the typed values, the model and the diagnostics.

`@record` makes the class that the standard library's `@dataclasses.dataclass` would make with the
same options (`frozen`, `slots`, `eq`, `repr`, `unsafe_hash`, and `field(default=...,
default_factory=..., repr=..., compare=...)`): the same `__init__`, `__repr__`, `__eq__`,
`__hash__`, the same frozen assignment check, slots, pickling and `__match_args__`, and `fields`,
`replace` and `is_record` in place of `dataclasses.fields`, `replace` and `is_dataclass`.

Why not `dataclasses` itself: it writes each class's methods as Python source and compiles them
when the class is made, at every start of the program. For the hundred classes a `policyc check`
loads that was a quarter of all the instructions the check executed (330 small compilations), and
`dataclasses` imports `inspect` and with it `ast`, `dis` and `tokenize`. The source of a record's
methods depends only on its fields' names and its options, so here it is compiled once and the code
is kept in the cache folder (`records-<python version>.marshal`, a dictionary from source text to
code): a later start looks the code up by the exact text, so an entry can be stale but never wrong.
Like the other files of the cache folder, it is trusted as the program is: only its user can write
it.
"""

from __future__ import annotations

import builtins
from _thread import get_ident
from collections.abc import Callable
from types import CodeType

from policyc import TYPE_CHECKING
from policyc.cachedir import KeptValues

if TYPE_CHECKING:
    from typing import Any, TypeVar, dataclass_transform, overload

    _T = TypeVar("_T")


class _Missing:
    """The absence of a default (a field that must be given)."""

    def __repr__(self) -> str:
        return "MISSING"


MISSING: Any = _Missing()


class FrozenInstanceError(AttributeError):
    """An assignment to a field of a frozen record, or its deletion."""


class Field:
    """One field of a record: its name, its default or default factory, and whether it is shown in
    the record's repr and compared by its equality and hash."""

    __slots__ = ("compare", "default", "default_factory", "name", "repr")

    def __init__(self, default: Any, default_factory: Any, repr: bool, compare: bool) -> None:
        if default is not MISSING and default_factory is not MISSING:
            raise ValueError("cannot specify both default and default_factory")
        self.name = ""
        self.default = default
        self.default_factory = default_factory
        self.repr = repr
        self.compare = compare

    def __repr__(self) -> str:
        return f"Field(name={self.name!r}, default={self.default!r}, default_factory={self.default_factory!r})"


def field(*, default: Any = MISSING, default_factory: Callable[[], Any] | Any = MISSING, repr: bool = True,
          compare: bool = True) -> Any:
    """A field with options, as `dataclasses.field`."""
    return Field(default, default_factory, repr, compare)


if TYPE_CHECKING:  # the signatures type checkers read (typing is not imported at run time)
    @overload
    @dataclass_transform(field_specifiers=(field, Field))
    def record(cls: type[_T], /) -> type[_T]: ...

    @overload
    def record(*, frozen: bool = False, slots: bool = False, eq: bool = True, repr: bool = True,
               unsafe_hash: bool = False) -> Callable[[type[_T]], type[_T]]: ...


def record(cls: type[_T] | None = None, /, *, frozen: bool = False, slots: bool = False, eq: bool = True,
           repr: bool = True, unsafe_hash: bool = False) -> type[_T] | Callable[[type[_T]], type[_T]]:
    """Make `cls` a record (see the module's docstring); used as `@record` or `@record(...)`."""

    def wrap(cls: type[_T]) -> type[_T]:
        return _make(cls, frozen=frozen, slots=slots, eq=eq, repr=repr, unsafe_hash=unsafe_hash)

    return wrap if cls is None else wrap(cls)


def fields(record_or_class: Any) -> tuple[Field, ...]:
    """A record's fields, in order (those of its base records first)."""
    try:
        found: tuple[Field, ...] = record_or_class.__record_fields__
    except AttributeError:
        raise TypeError("fields() takes a record or a record class") from None
    return found


def is_record(value: Any) -> bool:
    """Whether `value` is a record or a record class."""
    return hasattr(value, "__record_fields__")


def replace(value: _T, /, **changes: Any) -> _T:
    """A copy of a record with some fields changed, made through its `__init__` (as `dataclasses.replace`)."""
    for item in fields(value):
        if item.name not in changes:
            changes[item.name] = getattr(value, item.name)
    return value.__class__(**changes)


# -- making a record -----------------------------------------------------------------------------------
def _make(cls: type[_T], *, frozen: bool, slots: bool, eq: bool, repr: bool, unsafe_hash: bool) -> type[_T]:
    body = cls.__dict__
    collected: dict[str, Field] = {}
    for base in reversed(cls.__mro__[1:]):
        for inherited in base.__dict__.get("__record_fields__", ()):
            collected[inherited.name] = inherited
    for name, annotation in body.get("__annotations__", {}).items():
        if isinstance(annotation, str) and annotation.startswith(("ClassVar", "typing.ClassVar")):
            continue
        default = body.get(name, MISSING)
        item = default if isinstance(default, Field) else Field(default, MISSING, True, True)
        if isinstance(item.default, (list, dict, set)):
            raise ValueError(f"mutable default {type(item.default)} for field {name} is not allowed: "
                             "use default_factory")
        item.name = name
        collected[name] = item
        if isinstance(default, Field):  # the class attribute is the plain default, or nothing
            if item.default is MISSING:
                delattr(cls, name)
            else:
                setattr(cls, name, item.default)
    items = tuple(collected.values())
    seen_default = False
    for item in items:
        has_default = item.default is not MISSING or item.default_factory is not MISSING
        if seen_default and not has_default:
            raise TypeError(f"non-default argument {item.name!r} follows default argument")
        seen_default = seen_default or has_default

    class_hash = body.get("__hash__", MISSING)
    explicit_hash = not (class_hash is MISSING or (class_hash is None and "__eq__" in body))
    if unsafe_hash and explicit_hash:
        raise TypeError(f"cannot overwrite attribute __hash__ in class {cls.__name__}")
    wanted = {
        "__init__": "__init__" not in body,
        "__repr__": repr and "__repr__" not in body,
        "__eq__": eq and "__eq__" not in body,
        "__hash__": not explicit_hash and (unsafe_hash or (eq and frozen)),
        "__setattr__": frozen,
    }
    if slots:
        cls = _slotted(cls, items)
    _attach(cls, __record_fields__=items)
    made = _methods(cls, items, wanted, post_init=hasattr(cls, "__post_init__"))
    for name, function in made.items():
        function.__qualname__ = f"{cls.__qualname__}.{function.__name__}"
        function.__module__ = cls.__module__
        setattr(cls, name, function)
    if eq and not frozen and not unsafe_hash and not explicit_hash:
        _attach(cls, __hash__=None)  # as for any class with __eq__ and no __hash__
    if "__match_args__" not in body:
        _attach(cls, __match_args__=tuple(item.name for item in items))
    if frozen and slots:  # pickling: slots restored one by one would go through the frozen __setattr__
        if "__getstate__" not in body:
            _attach(cls, __getstate__=_frozen_getstate)
        if "__setstate__" not in body:
            _attach(cls, __setstate__=_frozen_setstate)
    elif "__reduce__" not in body and "__reduce_ex__" not in body:
        # Pickled as a call with the fields when that makes the same record: a third smaller, and
        # loaded in half the time, than slots restored one by one (the standard library's snapshot
        # holds 30,000 records). Otherwise pickle's own way, even under a base pickled by call.
        by_call = slots and wanted["__init__"] and not hasattr(cls, "__post_init__") and all(
            name in collected for base in cls.__mro__[:-1] for name in _slot_names(base))
        if by_call:
            _attach(cls, __reduce__=_reduce_by_call)
        elif getattr(cls, "__reduce__", None) is _reduce_by_call:
            _attach(cls, __reduce__=object.__reduce__)
    return cls


def _reduce_by_call(self: Any) -> tuple[type, tuple[Any, ...]]:
    return (self.__class__, tuple([getattr(self, item.name) for item in self.__record_fields__]))


def _attach(cls: type, **attributes: Any) -> None:
    """Set class attributes that a type checker does not know classes to have."""
    for name, value in attributes.items():
        setattr(cls, name, value)


def _slotted(cls: type[_T], items: tuple[Field, ...]) -> type[_T]:
    """The class again, with a slot for each field that no base class has a slot for."""
    inherited = {name for base in cls.__mro__[1:-1] for name in _slot_names(base)}
    namespace = dict(cls.__dict__)
    names = tuple(item.name for item in items if item.name not in inherited)
    namespace["__slots__"] = names
    for name in names:
        namespace.pop(name, None)  # the default lives in __init__, not as a class attribute
    namespace.pop("__dict__", None)
    namespace.pop("__weakref__", None)
    metaclass: Any = type(cls)
    made: type[_T] = metaclass(cls.__name__, cls.__bases__, namespace)
    made.__qualname__ = cls.__qualname__
    return made


def _slot_names(cls: type) -> tuple[str, ...]:
    declared = cls.__dict__.get("__slots__", ())
    return (declared,) if isinstance(declared, str) else tuple(declared)


def _frozen_getstate(self: Any) -> list[Any]:
    return [getattr(self, item.name) for item in self.__record_fields__]


def _frozen_setstate(self: Any, state: list[Any]) -> None:
    for item, value in zip(self.__record_fields__, state, strict=True):
        object.__setattr__(self, item.name, value)


def _methods(cls: type, items: tuple[Field, ...], wanted: dict[str, bool], *, post_init: bool) -> dict[str, Any]:
    """The generated methods of a record, from their compiled source (see `_compiled`)."""
    frozen = wanted["__setattr__"]
    arguments: dict[str, Any] = {"_cls": cls, "_MISSING": MISSING, "_Frozen": FrozenInstanceError,
                                 "_setattr": object.__setattr__, "_shown": _REPRS_RUNNING, "_thread": get_ident}
    lines: list[str] = []
    if wanted["__init__"]:
        parameters, body = ["self"], []
        for item in items:
            name = item.name
            if item.default_factory is not MISSING:
                arguments[f"_f_{name}"] = item.default_factory
                parameters.append(f"{name}=_MISSING")
                value = f"_f_{name}() if {name} is _MISSING else {name}"
            else:
                if item.default is not MISSING:
                    arguments[f"_d_{name}"] = item.default
                    parameters.append(f"{name}=_d_{name}")
                else:
                    parameters.append(name)
                value = name
            body.append(f"_setattr(self, {name!r}, {value})" if frozen else f"self.{name} = {value}")
        if post_init:
            body.append("self.__post_init__()")
        lines += [f" def __init__({', '.join(parameters)}):", *(f"  {line}" for line in body or ["pass"])]
    if wanted["__repr__"]:  # "..." for a record met again inside its own repr, as dataclasses prints
        shown = ", ".join(f"{item.name}={{self.{item.name}!r}}" for item in items if item.repr)
        lines += [" def __repr__(self):", "  key = (id(self), _thread())", "  if key in _shown:", "   return '...'",
                  "  _shown.add(key)", "  try:", f"   return f\"{{self.__class__.__qualname__}}({shown})\"",
                  "  finally:", "   _shown.discard(key)"]
    compared = "".join(f"self.{item.name}," for item in items if item.compare)
    if wanted["__eq__"]:
        other = compared.replace("self.", "other.")
        lines += [" def __eq__(self, other):", "  if other.__class__ is self.__class__:",
                  f"   return ({compared}) == ({other})", "  return NotImplemented"]
    if wanted["__hash__"]:
        lines += [" def __hash__(self):", f"  return hash(({compared}))"]
    if frozen:
        names = tuple(item.name for item in items)
        lines += [" def __setattr__(self, name, value):",
                  f"  if type(self) is _cls or name in {names!r}:",
                  "   raise _Frozen(f'cannot assign to field {name!r}')",
                  "  super(_cls, self).__setattr__(name, value)",
                  " def __delattr__(self, name):",
                  f"  if type(self) is _cls or name in {names!r}:",
                  "   raise _Frozen(f'cannot delete field {name!r}')",
                  "  super(_cls, self).__delattr__(name)"]
    made = [name for name in ("__init__", "__repr__", "__eq__", "__hash__", "__setattr__", "__delattr__")
            if f" def {name}(" in "\n".join(lines)]
    if not made:
        return {}
    source = "\n".join([f"def _methods({', '.join(arguments)}):", *lines, f" return ({', '.join(made)},)", ""])
    namespace: dict[str, Any] = {"__builtins__": builtins}
    exec(_compiled(source), namespace)
    return dict(zip(made, namespace["_methods"](**arguments), strict=True))


_REPRS_RUNNING: set[tuple[int, int]] = set()  # the records whose repr is being made, by thread


_KEPT = KeptValues("records", lambda value: isinstance(value, CodeType))  # method sources -> their code


def _compiled(source: str) -> CodeType:
    """The code of the methods' source, compiled once and kept in the cache folder."""
    code = _KEPT.get(source)
    if isinstance(code, CodeType):
        return code
    code = compile(source, "<policyc record>", "exec", dont_inherit=True)
    _KEPT.put(source, code)
    return code
