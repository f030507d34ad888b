"""Pyodide's ``pyodide.ffi`` as pyworker provides it: ``to_js``, ``create_proxy``, ``JsProxy``,
``JsException``; see ``pyworker.runtime.ffi``."""

from pyworker.runtime.ffi import JsArray, JsBuffer, JsException, JsProxy, create_proxy, to_js

__all__ = ["JsArray", "JsBuffer", "JsException", "JsProxy", "create_proxy", "to_js"]
