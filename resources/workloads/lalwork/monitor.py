"""Peak memory of this rank: torch's own peak counters, device-wide used memory sampled by a
background thread, and the kernel's resident-set high-water mark."""

import os
import resource
import threading

import torch


class PeakMonitor:
    def __init__(self, device, interval=0.05):
        self.device = device
        self.interval = max(0.005, interval)
        self.device_used_peak = None
        self._nvml = None
        self._stop = threading.Event()
        self._thread = None

    def start(self):
        if self.device.type != "cuda":
            return self
        self._nvml = _nvml_handle(self.device)
        self._sample()
        self._thread = threading.Thread(target=self._run, name="lal-peak-sampler", daemon=True)
        self._thread.start()
        return self

    def _run(self):
        while not self._stop.wait(self.interval):
            self._sample()

    def _sample(self):
        try:
            if self._nvml is not None:
                used = self._nvml[0].nvmlDeviceGetMemoryInfo(self._nvml[1]).used
            else:
                # No pynvml (common on fresh GPU boxes): the driver's free/total for the device.
                free, total = torch.cuda.mem_get_info(self.device)
                used = total - free
        except Exception:  # a dying CUDA context must not kill the sampler thread's owner
            return
        if self.device_used_peak is None or used > self.device_used_peak:
            self.device_used_peak = int(used)

    def stop(self):
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=1.0)
        if self.device.type == "cuda":
            self._sample()

    def report(self):
        cuda = self.device.type == "cuda"
        return {
            "torch_allocated_peak": int(torch.cuda.max_memory_allocated(self.device)) if cuda else None,
            "torch_reserved_peak": int(torch.cuda.max_memory_reserved(self.device)) if cuda else None,
            "device_used_peak": self.device_used_peak if cuda else None,
            "host_rss_peak": host_rss_peak(),
        }


def host_rss_peak():
    """VmHWM is the kernel's own peak RSS for this process; ru_maxrss (KiB on Linux) otherwise."""
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return int(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss) * 1024


def _nvml_handle(device):
    try:
        import pynvml  # optional: nvidia-ml-py
    except ImportError:
        return None
    try:
        pynvml.nvmlInit()
        bus_id = _pci_bus_id(device)
        if bus_id is None:
            return None
        return (pynvml, pynvml.nvmlDeviceGetHandleByPciBusId_v2(bus_id))
    except Exception:
        return None


def _pci_bus_id(device):
    # CUDA_VISIBLE_DEVICES renumbers devices; the PCI bus id is the stable way to find NVML's one.
    props = torch.cuda.get_device_properties(device)
    if not all(hasattr(props, a) for a in ("pci_domain_id", "pci_bus_id", "pci_device_id")):
        return None
    return "%08x:%02x:%02x.0" % (props.pci_domain_id, props.pci_bus_id, props.pci_device_id)
