# SPDX-License-Identifier: BSD-3-Clause
# Shared by tests/vm/prepare and tests/vm/run (sourced, bash).

# Bump when the layout of the prepared cache changes, so that `run` refuses a stale cache and
# asks for `tests/vm/prepare` instead of booting something half-compatible.
NVFIO_VM_PREP_VERSION=2

# The modules the guest loads, by name; their dependencies are resolved with modules.dep when
# the cache is prepared.
NVFIO_VM_MODULES_VFIO="vfio vfio_iommu_type1 vfio-pci"
NVFIO_VM_MODULES_NVME="nvme"

nvfio_vm_die() {
	echo "${0##*/}: $*" >&2
	exit 1
}

# Where the cache lives. An explicit NVFIO_CACHE wins. Otherwise root uses /var/cache/nvfio; a
# user reuses it when it was already prepared there (read-only use is enough), else keeps a
# private one under XDG_CACHE_HOME.
nvfio_vm_cache_dir() {
	if [ -n "${NVFIO_CACHE:-}" ]; then
		echo "$NVFIO_CACHE"
	elif [ "$(id -u)" -eq 0 ]; then
		echo /var/cache/nvfio
	elif [ -r /var/cache/nvfio/vm/state ] || [ -w /var/cache/nvfio ]; then
		echo /var/cache/nvfio
	else
		echo "${XDG_CACHE_HOME:-$HOME/.cache}/nvfio"
	fi
}
