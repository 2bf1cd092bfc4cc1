"""The market kernel compiled ahead of time: for the functions' packages and images, and for
this interpreter (``run --local``'s workers)."""

from pipeline.kernel.build import KERNEL_BUILD_VENV, kernel_module, kernel_module_file, local_kernel_module

__all__ = ["KERNEL_BUILD_VENV", "kernel_module", "kernel_module_file", "local_kernel_module"]
