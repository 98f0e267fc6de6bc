/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef NVFIO_SUPPORT_ERROR_H
#define NVFIO_SUPPORT_ERROR_H

#include <nvfio/error.h>

/*
 * nvf_err() - record why a call failed, for nvfio_last_error()
 * @err: the error, -errno / -NVFIO_E* or their positive forms
 * @fmt: printf format of the sentence: what failed, and the remedy where there is one
 *
 * Returns -abs(@err), so that a failure path reads "return nvf_err(-ENOENT, ...);".
 */
int nvf_err(int err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Prefix the current message with more context ("opening 0000:01:00.0: <old message>"). */
void nvf_err_prefix(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * nvf_err_freeze() / nvf_err_thaw() - keep the calling thread's message through a cleanup
 *
 * Between the two, nvf_err() and nvf_err_prefix() return their error as always but leave the
 * message alone, so that undoing a failed step (closing, freeing, a command that deletes what
 * was half created) cannot replace the sentence that names the cause. The pair nests.
 */
void nvf_err_freeze(void);
void nvf_err_thaw(void);

/* Forget the calling thread's message. */
void nvf_err_clear(void);

#endif /* NVFIO_SUPPORT_ERROR_H */
