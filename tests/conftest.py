import os

import torch

# Two cores here: keep torch from oversubscribing them, so test timings stay
# predictable when several tests or processes share the machine.
torch.set_num_threads(max(1, min(2, os.cpu_count() or 1)))
