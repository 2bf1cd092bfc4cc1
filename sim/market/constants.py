"""Fixed constants of the market model (not sweepable; changing one changes results)."""

from __future__ import annotations

import numpy as np

# Cruising turns (a 4-bit code per pool driver per minute, 16 to a raw 64-bit word)
# are drawn this many at a time, in whole minutes (at least one): bounds their
# memory (1 MiB). The chunk length depends only on num_drivers, so a point's
# streams are consumed identically however it is run.
TURN_CHUNK = 1 << 21

# ridehail's dispatch: two raw 64-bit words drawn once per point from the dispatch
# stream, the keys of its random order and of its tie-breaks. A request's rank and
# tie-break draw in a minute are fixed functions of (key, minute, request id)
# (kernel.counter_word), not the next words of a sequence, so they do not depend
# on what else is open: points that differ only in policy keep drawing alike.
ORDER_KEY, TIE_KEY = range(2)
DISPATCH_KEYS = 2

# Open requests considered together by the oldest-first rule (batch_dispatch):
# bounds the work of its proposal rounds when a backlog builds.
DISPATCH_WAVE = 64

# Supply response: each adjustment moves the online count by this share of the
# relative earnings gap, capped at MAX_STEP_SHARE of the online count (at least
# one driver), like ridehail's price equilibration.
SUPPLY_DAMPING = 0.5
MAX_STEP_SHARE = 0.1

# Idle cruising: a turn code in 0..15 per driver per minute; 5/16 straight on,
# 5/16 left, 5/16 right, 1/16 U-turn (ridehail's no-U-turn-then-redraw rule).
TURN_BY_CODE = np.array([0] * 5 + [1] * 5 + [3] * 5 + [2], dtype=np.int8)
# Headings 0..3: east, north, west, south; (STEP_X[heading], STEP_Y[heading]) is the step.
STEP_X = np.array([1, 0, -1, 0], dtype=np.int32)
STEP_Y = np.array([0, 1, 0, -1], dtype=np.int32)

# Multiplier spreading the oldest-first rule's tie-break rotation over the pool.
TIE_BREAK_STRIDE = 7919

MINUTES_PER_HOUR = 60

# Slots of the kernel's int64 ``counters`` array: the point's scalar state between calls.
ONLINE, ONLINE_MINUTES, BUSY_MINUTES, ONLINE_SEEN, BUSY_SEEN, NEXT_REQUEST, OPEN = range(7)
COUNTERS = 7
