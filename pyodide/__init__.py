"""A stand-in for Pyodide's ``pyodide`` package: only ``pyodide.ffi``, which Worker code imports."""
