# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 The vcryptd authors
"""
vcryptd endpoint for DPDK's telemetry exporter (usertools/dpdk-telemetry-exporter.py,
DPDK 24.07 and later; it runs against vcryptd's DPDK 22.11 telemetry socket).

    dpdk-telemetry-exporter.py -p /usr/share/vcryptd/telemetry-endpoints -e vcryptd \\
        -s /run/vcryptd/dpdk/vcryptd/dpdk_telemetry.v2 -o prometheus://127.0.0.1:9876

The exporter loads this file as a module named after it ("vcryptd") and
prefixes every metric name below with "dpdk_vcryptd_".  It reads
/vcryptd/info, /vcryptd/vms, /vcryptd/vm,<name> for each VM,
/vcryptd/workers, /vcryptd/backends and /vcryptd/routing: 5 + (number of
VMs) requests per scrape, none of which changes the daemon's state.  A VM removed between
/vcryptd/vms and its /vcryptd/vm request is skipped; a field the daemon does
not report (an older vcryptd) is left out rather than reported as 0.
"""

INFO = "info"
UPTIME = "uptime_seconds"
VMS = "vms"
VM_INFO = "vm_info"
VM_CONNECTED = "vm_connected"
VM_RUNNING = "vm_running"
VM_CONNECTIONS = "vm_connections_total"
VM_REQUESTS = "vm_requests_total"
VM_RESPONSES = "vm_responses_total"
VM_NO_STATUS = "vm_no_status_total"
VM_BYTES = "vm_bytes_total"
VM_INFLIGHT = "vm_inflight_requests"
VM_NOTIFICATIONS = "vm_notifications_total"
VM_BURSTS = "vm_bursts_total"
VM_SESSIONS = "vm_sessions"
VM_SESSIONS_CREATED = "vm_sessions_created_total"
VM_SESSIONS_REFUSED = "vm_sessions_refused_total"
VM_MALFORMED = "vm_malformed_chains_total"
VM_ROUTED = "vm_routed_requests_total"
VM_ROUTED_BYTES = "vm_routed_bytes_total"
VM_SPILLS = "vm_spills_total"
VM_FAILOVERS = "vm_failovers_total"
WORKER_POLLS = "worker_polls_total"
WORKER_BUSY_POLLS = "worker_busy_polls_total"
WORKER_BUSY_CYCLES = "worker_busy_cycles_total"
WORKER_IDLE_CYCLES = "worker_idle_cycles_total"
WORKER_PARTIAL_ENQUEUES = "worker_partial_enqueues_total"
WORKER_SYNC_BATCHES = "worker_sync_batches_total"
WORKER_SYNC_BATCHED = "worker_sync_batched_requests_total"
BACKEND_INFO = "backend_info"
BACKEND_QUEUE_PAIRS = "backend_queue_pairs"
BACKEND_UP = "backend_up"
ROUTING_THRESHOLD = "routing_threshold_bytes"
ROUTING_CALIBRATIONS = "routing_calibrations_total"

# /vcryptd/backends per-backend key -> (metric, description, type).
BACKEND_FIELDS = (
    ("inflight", "backend_inflight_ops", "Ops on the backend's queue pairs now.", "gauge"),
    ("staged", "backend_staged_ops", "Ops staged for the backend, not enqueued yet.", "gauge"),
    ("spilled_in", "backend_spilled_in_total",
     "Requests sent here because the preferred backends were full.", "counter"),
    ("moved_out", "backend_moved_out_total",
     "Staged ops moved to another backend (queue pair full, or down).", "counter"),
    ("device_errors", "backend_device_errors_total",
     "Ops the device handed back with an error or unprocessed.", "counter"),
    ("failovers", "backend_failovers_total",
     "Ops run again on another backend after a device error here.", "counter"),
    ("downs", "backend_downs_total", "Times a worker took the backend down.", "counter"),
    ("ups", "backend_ups_total", "Times a probe brought the backend back.", "counter"),
    ("abandoned", "backend_abandoned_total",
     "Ops answered without the device (stalled), their originals quarantined.", "counter"),
    ("late", "backend_late_total",
     "Quarantined ops the device handed back after all (recycled, not answered).", "counter"),
    ("spurious", "backend_spurious_total",
     "Ops the device handed back that were not in it.", "counter"),
    ("ops", "backend_ops_total", "Ops the backend completed.", "counter"),
    ("bytes", "backend_bytes_total", "Data bytes of the ops the backend completed.", "counter"),
)

# virtio-crypto statuses as /vcryptd/vm,<name> names them (one key each).
STATUSES = ("ok", "err", "badmsg", "notsupp", "invsess", "nospc", "key_rejected", "other")

# /vcryptd/vm key -> metric, for the plain numeric fields.
VM_FIELDS = (
    ("connected", VM_CONNECTED),
    ("running", VM_RUNNING),
    ("connections", VM_CONNECTIONS),
    ("requests", VM_REQUESTS),
    ("no_status", VM_NO_STATUS),
    ("bytes", VM_BYTES),
    ("inflight", VM_INFLIGHT),
    ("notifications", VM_NOTIFICATIONS),
    ("bursts", VM_BURSTS),
    ("sessions", VM_SESSIONS),
    ("sessions_created", VM_SESSIONS_CREATED),
    ("sessions_refused", VM_SESSIONS_REFUSED),
    ("spills", VM_SPILLS),
    ("failovers", VM_FAILOVERS),
)

# /vcryptd/workers per-worker key -> metric.
WORKER_FIELDS = (
    ("polls", WORKER_POLLS),
    ("busy_polls", WORKER_BUSY_POLLS),
    ("busy_cycles", WORKER_BUSY_CYCLES),
    ("idle_cycles", WORKER_IDLE_CYCLES),
    ("partial_enqueues", WORKER_PARTIAL_ENQUEUES),
    ("sync_batches", WORKER_SYNC_BATCHES),
    ("sync_batched", WORKER_SYNC_BATCHED),
)


def info() -> "dict[Name, tuple[Description, Type]]":
    return {
        INFO: ("vcryptd build; labels version, dpdk and config; value 1.", "gauge"),
        UPTIME: ("Seconds since vcryptd started serving.", "gauge"),
        VMS: ("VM sockets vcryptd serves.", "gauge"),
        VM_INFO: ("A VM served by vcryptd; label socket: its vhost-user socket; value 1.",
                  "gauge"),
        VM_CONNECTED: ("1 while the VM's vhost-user frontend (QEMU) is connected.", "gauge"),
        VM_RUNNING: ("1 while a worker serves the VM's data queue.", "gauge"),
        VM_CONNECTIONS: ("vhost-user connections the VM's socket has accepted.", "counter"),
        VM_REQUESTS: ("Requests taken from the VM's data queue.", "counter"),
        VM_RESPONSES: ("Requests answered, by virtio-crypto status (label status).",
                       "counter"),
        VM_NO_STATUS: ("Chains that could not carry a status (returned with used length 0).",
                       "counter"),
        VM_BYTES: ("Source bytes of the VM's successful requests.", "counter"),
        VM_INFLIGHT: ("Requests taken from the VM's ring and not answered yet.", "gauge"),
        VM_NOTIFICATIONS: ("Interrupts (call eventfd writes) sent to the VM.", "counter"),
        VM_BURSTS: ("Worker polls that took at least one request from the VM's ring.", "counter"),
        VM_SESSIONS: ("Crypto sessions the VM holds open.", "gauge"),
        VM_SESSIONS_CREATED: ("Crypto sessions the VM has created.", "counter"),
        VM_SESSIONS_REFUSED: ("Session creations refused (bad message, limit, unsupported algorithm).",
                              "counter"),
        VM_MALFORMED: ("Malformed descriptor chains, by reason (label reason).", "counter"),
        WORKER_POLLS: ("Poll loop iterations of the worker.", "counter"),
        WORKER_BUSY_POLLS: ("Polls that found work.", "counter"),
        WORKER_BUSY_CYCLES: ("TSC cycles spent in polls that found work.", "counter"),
        WORKER_IDLE_CYCLES: ("TSC cycles spent in polls that found none.", "counter"),
        WORKER_PARTIAL_ENQUEUES: ("Cryptodev enqueues that took only part of a burst "
                                  "(queue pair full; the rest stays staged).", "counter"),
        BACKEND_INFO: ("A cryptodev backend; labels driver, role, dev_id; value 1.", "gauge"),
        BACKEND_QUEUE_PAIRS: ("Queue pairs vcryptd uses on the backend.", "gauge"),
        VM_ROUTED: ("Requests routed to a backend role (label role: cpu or accel).", "counter"),
        VM_ROUTED_BYTES: ("Data bytes routed to a backend role (label role).", "counter"),
        VM_SPILLS: ("Requests sent to the other role because the preferred backends were full.",
                    "counter"),
        VM_FAILOVERS: ("Requests run again on another backend after a device error.",
                       "counter"),
        WORKER_SYNC_BATCHES: ("Batches of the synchronous path (requests over 64 KiB).",
                              "counter"),
        WORKER_SYNC_BATCHED: ("Requests those batches ran.", "counter"),
        BACKEND_UP: ("1 while the backend is up on every worker, 0 while a worker has it down.",
                     "gauge"),
        ROUTING_THRESHOLD: ("Size in bytes from which requests go to accel backends (label op: "
                            "cipher or chain); absent while it is never.", "gauge"),
        ROUTING_CALIBRATIONS: ("Calibration runs since start.", "counter"),
        **{metric: (desc, kind) for _, metric, desc, kind in BACKEND_FIELDS},
    }


def _number(value):
    """The value if the daemon reported a number, else None."""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, (int, float)):
        return value
    return None


def _vm_metrics(key, vm):
    # /vcryptd/vms keys have characters other than letters, digits and '_'
    # replaced by '_' (DPDK's rule for keys); the VM's own "name", where the
    # daemon reports it, is the real one.
    name = vm.get("name") or key
    labels = {"vm": name}
    out = [(VM_INFO, 1, {"vm": name, "socket": vm.get("socket", "")})]
    for key, metric in VM_FIELDS:
        value = _number(vm.get(key))
        if value is not None:
            out.append((metric, value, labels))
    for status in STATUSES:
        value = _number(vm.get(status))
        if value is not None:
            out.append((VM_RESPONSES, value, {"vm": name, "status": status}))
    for role in ("cpu", "accel"):
        for key, metric in ((f"routed_{role}_ops", VM_ROUTED),
                            (f"routed_{role}_bytes", VM_ROUTED_BYTES)):
            value = _number(vm.get(key))
            if value is not None:
                out.append((metric, value, {"vm": name, "role": role}))
    for key, value in sorted(vm.items()):
        value = _number(value)
        if key.startswith("chain_") and value is not None:
            out.append((VM_MALFORMED, value, {"vm": name, "reason": key[len("chain_"):]}))
    return out


def metrics(sock: "TelemetrySocket") -> "list[tuple[Name, Value, Labels]]":
    out = []

    daemon = sock.cmd("/vcryptd/info") or {}
    out.append((INFO, 1, {
        "version": daemon.get("version", ""),
        "dpdk": daemon.get("dpdk", ""),
        "config": daemon.get("config", ""),
    }))
    uptime = _number(daemon.get("uptime_s"))
    if uptime is not None:
        out.append((UPTIME, uptime, {}))

    names = sock.cmd("/vcryptd/vms") or {}
    out.append((VMS, len(names), {}))
    for name in sorted(names):
        vm = sock.cmd("/vcryptd/vm", name)
        if isinstance(vm, dict):  # None: removed since /vcryptd/vms
            out += _vm_metrics(name, vm)

    workers = sock.cmd("/vcryptd/workers") or {}
    for key, w in sorted(workers.items()):
        if not isinstance(w, dict):
            continue
        labels = {"worker": key[len("worker"):] if key.startswith("worker") else key,
                  "lcore": w.get("lcore", "")}
        for field, metric in WORKER_FIELDS:
            value = _number(w.get(field))
            if value is not None:
                out.append((metric, value, labels))

    backends = sock.cmd("/vcryptd/backends") or {}
    for name, b in sorted(backends.items()):
        if not isinstance(b, dict):
            continue
        out.append((BACKEND_INFO, 1, {
            "backend": name,
            "driver": b.get("driver", ""),
            "role": b.get("role", ""),
            "dev_id": b.get("dev_id", ""),
        }))
        value = _number(b.get("queue_pairs"))
        if value is not None:
            out.append((BACKEND_QUEUE_PAIRS, value, {"backend": name}))
        if isinstance(b.get("state"), str):
            out.append((BACKEND_UP, int(b["state"] == "up"), {"backend": name}))
        for field, metric, _, _ in BACKEND_FIELDS:
            value = _number(b.get(field))
            if value is not None:
                out.append((metric, value, {"backend": name}))

    routing = sock.cmd("/vcryptd/routing") or {}
    for op in ("cipher", "chain"):
        r = routing.get(op)
        t = r.get("threshold") if isinstance(r, dict) else None
        # a number of bytes as a string ("4096"); "auto" and "never" have none
        if isinstance(t, str) and t.isdigit():
            out.append((ROUTING_THRESHOLD, int(t), {"op": op}))
    value = _number(routing.get("calibrations"))
    if value is not None:
        out.append((ROUTING_CALIBRATIONS, value, {}))
    return out
