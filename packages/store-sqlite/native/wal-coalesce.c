/*
 * wal-coalesce: an SQLite VFS that writes the WAL frames of a transaction with one system call per
 * 124 KiB instead of two per page. Loaded as an SQLite extension by the SQLite store
 * (src/wal-coalescing.ts); it registers itself as the process's default VFS, on top of the one that
 * was the default (unix).
 *
 * Why: SQLite appends each WAL frame as two pwrite calls (its 24-byte header, then the page). A
 * commit of bench (b)'s batch of 32 events writes about 37 frames, one of bench (a) about 200, and
 * on a virtual machine every system call costs several microseconds in the kernel's entry and exit
 * alone. Here a commit costs one pwrite per 124 KiB of frames.
 *
 * How, and why it is safe: writes to a WAL file (opened with SQLITE_OPEN_WAL) that continue the
 * previous one are collected in a buffer; everything else passes through unchanged. The buffer is
 * written, in order, before anything can depend on it:
 * - at the end of every commit frame (a frame header whose "database size after commit" field is
 *   not 0, followed by its page). SQLite writes every frame of a commit before it publishes the
 *   commit in the WAL index, so when other connections (the checkpoint worker, a reader) can see
 *   the frames, they are in the file, as with the plain VFS; and the commit's write has returned
 *   before SQLite reports the commit, so a crash loses nothing that was committed;
 * - before a write that does not continue the buffer (SQLite rewriting a frame in place), before
 *   every read, sync, truncate, size query, file control and fetch of the file, and on close;
 * - when it reaches BUFFER_BYTES (a transaction larger than that is written in such pieces).
 * What the buffer holds before a commit frame belongs to a transaction that has not committed, so
 * SQLite's own recovery ignores it whether it was written or not. A failed write of the buffer is
 * returned to SQLite from the call that wrote it, which fails that transaction as a failed write of
 * the plain VFS would. The data and the order of the writes are SQLite's own; only their timing
 * within a transaction and their number change.
 *
 * wal_coalesce_counters() (an SQL function on every connection that loaded the extension) returns
 * '{"walWrites":N,"fileWrites":M}': the WAL writes SQLite asked for and the writes made, in this
 * process since the extension was loaded; tests use it to see that coalescing happens.
 */
#include "sqlite3ext.h"
SQLITE_EXTENSION_INIT1
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Largest buffer per WAL file; a transaction that writes more is written in pieces of this size. */
#define BUFFER_BYTES (4 * 1024 * 1024)
/* SQLite's unix VFS writes at most 0x1ffff bytes per call (seekAndWriteFd masks the length), so the
 * buffer goes out in pieces below that, a whole number of 4 KiB pages. */
#define MAX_WRITE_BYTES 0x1f000
/* A WAL frame header; its bytes 4-7 hold the database size after commit (0: not a commit frame). */
#define FRAME_HEADER_BYTES 24
/* The WAL file header; frames start after it. */
#define WAL_HEADER_BYTES 32

typedef struct CoalescingFile {
  sqlite3_file base;
  sqlite3_file *real;     /* the file of the underlying VFS, allocated right after this struct */
  int isWal;
  int commitFrameNext;    /* the last write was the header of a commit frame: its page comes next */
  unsigned char *buffer;  /* allocated at the first buffered write */
  int bufferedBytes;
  sqlite3_int64 bufferOffset;
} CoalescingFile;

static sqlite3_vfs *underlying;
static sqlite3_int64 walWrites;
static sqlite3_int64 fileWrites;

static void count(sqlite3_int64 *counter) { __atomic_add_fetch(counter, 1, __ATOMIC_RELAXED); }

static unsigned int bigEndian32(const unsigned char *bytes) {
  return ((unsigned int)bytes[0] << 24) | ((unsigned int)bytes[1] << 16) | ((unsigned int)bytes[2] << 8) | bytes[3];
}

static int isPageSize(int bytes) { return bytes >= 512 && bytes <= 65536 && (bytes & (bytes - 1)) == 0; }

static int writeThrough(CoalescingFile *file, const void *data, int bytes, sqlite3_int64 offset) {
  count(&fileWrites);
  return file->real->pMethods->xWrite(file->real, data, bytes, offset);
}

/* Writes the buffer out, in order, and empties it (also when the write fails). */
static int flush(CoalescingFile *file) {
  int bytes = file->bufferedBytes;
  int done = 0;
  int rc = SQLITE_OK;
  file->bufferedBytes = 0;
  while (done < bytes && rc == SQLITE_OK) {
    int piece = bytes - done > MAX_WRITE_BYTES ? MAX_WRITE_BYTES : bytes - done;
    rc = writeThrough(file, file->buffer + done, piece, file->bufferOffset + done);
    done += piece;
  }
  return rc;
}

static int coalescingWrite(sqlite3_file *handle, const void *data, int bytes, sqlite3_int64 offset) {
  CoalescingFile *file = (CoalescingFile *)handle;
  const unsigned char *frame = (const unsigned char *)data;
  int inFrames = offset >= WAL_HEADER_BYTES;
  int frameHeader = inFrames && bytes == FRAME_HEADER_BYTES;
  int endsCommit;
  if (!file->isWal) return file->real->pMethods->xWrite(file->real, data, bytes, offset);
  count(&walWrites);
  /* SQLite writes a frame as its header, then its page; a write of both at once ends a commit too. */
  endsCommit = !frameHeader && (file->commitFrameNext || (inFrames && bytes > FRAME_HEADER_BYTES &&
                                                          isPageSize(bytes - FRAME_HEADER_BYTES) && bigEndian32(frame + 4) != 0));
  file->commitFrameNext = frameHeader && bigEndian32(frame + 4) != 0;
  if (file->bufferedBytes > 0 && (offset != file->bufferOffset + file->bufferedBytes || file->bufferedBytes + bytes > BUFFER_BYTES)) {
    int rc = flush(file);
    if (rc != SQLITE_OK) return rc;
  }
  /* Nothing is buffered at this point when the write goes straight through. */
  if (bytes > BUFFER_BYTES || (file->buffer == NULL && (file->buffer = malloc(BUFFER_BYTES)) == NULL)) {
    return writeThrough(file, data, bytes, offset);
  }
  if (file->bufferedBytes == 0) file->bufferOffset = offset;
  memcpy(file->buffer + file->bufferedBytes, data, (size_t)bytes);
  file->bufferedBytes += bytes;
  return endsCommit ? flush(file) : SQLITE_OK;
}

#define REAL(handle) (((CoalescingFile *)(handle))->real)
/* flush() does nothing when the buffer is empty. */
#define FLUSHED(handle)                                        \
  do {                                                         \
    int flushRc = flush((CoalescingFile *)(handle));           \
    if (flushRc != SQLITE_OK) return flushRc;                  \
  } while (0)

static int coalescingClose(sqlite3_file *handle) {
  CoalescingFile *file = (CoalescingFile *)handle;
  int rc = flush(file);
  int closeRc = file->real->pMethods->xClose(file->real);
  free(file->buffer);
  file->buffer = NULL;
  return rc != SQLITE_OK ? rc : closeRc;
}
static int coalescingRead(sqlite3_file *h, void *data, int bytes, sqlite3_int64 offset) {
  FLUSHED(h);
  return REAL(h)->pMethods->xRead(REAL(h), data, bytes, offset);
}
static int coalescingTruncate(sqlite3_file *h, sqlite3_int64 size) {
  FLUSHED(h);
  return REAL(h)->pMethods->xTruncate(REAL(h), size);
}
static int coalescingSync(sqlite3_file *h, int flags) {
  FLUSHED(h);
  return REAL(h)->pMethods->xSync(REAL(h), flags);
}
static int coalescingFileSize(sqlite3_file *h, sqlite3_int64 *size) {
  FLUSHED(h);
  return REAL(h)->pMethods->xFileSize(REAL(h), size);
}
static int coalescingFileControl(sqlite3_file *h, int op, void *arg) {
  FLUSHED(h);
  return REAL(h)->pMethods->xFileControl(REAL(h), op, arg);
}
static int coalescingFetch(sqlite3_file *h, sqlite3_int64 offset, int bytes, void **page) {
  FLUSHED(h);
  return REAL(h)->pMethods->xFetch(REAL(h), offset, bytes, page);
}
static int coalescingLock(sqlite3_file *h, int level) { return REAL(h)->pMethods->xLock(REAL(h), level); }
static int coalescingUnlock(sqlite3_file *h, int level) { return REAL(h)->pMethods->xUnlock(REAL(h), level); }
static int coalescingCheckReservedLock(sqlite3_file *h, int *out) { return REAL(h)->pMethods->xCheckReservedLock(REAL(h), out); }
static int coalescingSectorSize(sqlite3_file *h) { return REAL(h)->pMethods->xSectorSize(REAL(h)); }
static int coalescingDeviceCharacteristics(sqlite3_file *h) { return REAL(h)->pMethods->xDeviceCharacteristics(REAL(h)); }
static int coalescingShmMap(sqlite3_file *h, int region, int size, int extend, void volatile **out) {
  return REAL(h)->pMethods->xShmMap(REAL(h), region, size, extend, out);
}
static int coalescingShmLock(sqlite3_file *h, int offset, int n, int flags) { return REAL(h)->pMethods->xShmLock(REAL(h), offset, n, flags); }
static void coalescingShmBarrier(sqlite3_file *h) { REAL(h)->pMethods->xShmBarrier(REAL(h)); }
static int coalescingShmUnmap(sqlite3_file *h, int deleteFlag) { return REAL(h)->pMethods->xShmUnmap(REAL(h), deleteFlag); }
static int coalescingUnfetch(sqlite3_file *h, sqlite3_int64 offset, void *page) { return REAL(h)->pMethods->xUnfetch(REAL(h), offset, page); }

/* One table per version of the io methods: a file gets the version of the underlying one (SQLite
 * calls only the methods its version has; unix files are version 3). */
#define COALESCING_METHODS(version)                                                                         \
  {                                                                                                         \
    version, coalescingClose, coalescingRead, coalescingWrite, coalescingTruncate, coalescingSync,          \
        coalescingFileSize, coalescingLock, coalescingUnlock, coalescingCheckReservedLock,                  \
        coalescingFileControl, coalescingSectorSize, coalescingDeviceCharacteristics, coalescingShmMap,     \
        coalescingShmLock, coalescingShmBarrier, coalescingShmUnmap, coalescingFetch, coalescingUnfetch,    \
  }
static const sqlite3_io_methods coalescingMethods[3] = {COALESCING_METHODS(1), COALESCING_METHODS(2), COALESCING_METHODS(3)};

static int coalescingOpen(sqlite3_vfs *vfs, const char *name, sqlite3_file *handle, int flags, int *outFlags) {
  CoalescingFile *file = (CoalescingFile *)handle;
  int rc;
  (void)vfs;
  memset(file, 0, sizeof(*file));
  file->real = (sqlite3_file *)&file[1];
  rc = underlying->xOpen(underlying, name, file->real, flags, outFlags);
  if (file->real->pMethods == NULL) {
    handle->pMethods = NULL;
    return rc;
  }
  if (rc != SQLITE_OK) {
    file->real->pMethods->xClose(file->real);
    handle->pMethods = NULL;
    return rc;
  }
  file->isWal = (flags & SQLITE_OPEN_WAL) != 0;
  {
    int version = file->real->pMethods->iVersion;
    handle->pMethods = &coalescingMethods[(version < 1 ? 1 : version > 3 ? 3 : version) - 1];
  }
  return SQLITE_OK;
}

static int coalescingDelete(sqlite3_vfs *v, const char *name, int sync) { (void)v; return underlying->xDelete(underlying, name, sync); }
static int coalescingAccess(sqlite3_vfs *v, const char *name, int flags, int *out) { (void)v; return underlying->xAccess(underlying, name, flags, out); }
static int coalescingFullPathname(sqlite3_vfs *v, const char *name, int size, char *out) {
  (void)v;
  return underlying->xFullPathname(underlying, name, size, out);
}
static void *coalescingDlOpen(sqlite3_vfs *v, const char *path) { (void)v; return underlying->xDlOpen(underlying, path); }
static void coalescingDlError(sqlite3_vfs *v, int size, char *out) { (void)v; underlying->xDlError(underlying, size, out); }
static void (*coalescingDlSym(sqlite3_vfs *v, void *library, const char *symbol))(void) {
  (void)v;
  return underlying->xDlSym(underlying, library, symbol);
}
static void coalescingDlClose(sqlite3_vfs *v, void *library) { (void)v; underlying->xDlClose(underlying, library); }
static int coalescingRandomness(sqlite3_vfs *v, int size, char *out) { (void)v; return underlying->xRandomness(underlying, size, out); }
static int coalescingSleep(sqlite3_vfs *v, int micros) { (void)v; return underlying->xSleep(underlying, micros); }
static int coalescingCurrentTime(sqlite3_vfs *v, double *out) { (void)v; return underlying->xCurrentTime(underlying, out); }
static int coalescingGetLastError(sqlite3_vfs *v, int size, char *out) { (void)v; return underlying->xGetLastError(underlying, size, out); }
static int coalescingCurrentTimeInt64(sqlite3_vfs *v, sqlite3_int64 *out) { (void)v; return underlying->xCurrentTimeInt64(underlying, out); }

/* The VFS; its file size and path length are the underlying VFS's, set when it is registered. */
static sqlite3_vfs coalescingVfs = {
    .iVersion = 2,
    .zName = "walcoalesce",
    .xOpen = coalescingOpen,
    .xDelete = coalescingDelete,
    .xAccess = coalescingAccess,
    .xFullPathname = coalescingFullPathname,
    .xDlOpen = coalescingDlOpen,
    .xDlError = coalescingDlError,
    .xDlSym = coalescingDlSym,
    .xDlClose = coalescingDlClose,
    .xRandomness = coalescingRandomness,
    .xSleep = coalescingSleep,
    .xCurrentTime = coalescingCurrentTime,
    .xGetLastError = coalescingGetLastError,
    .xCurrentTimeInt64 = coalescingCurrentTimeInt64,
};

static void countersFunction(sqlite3_context *context, int argc, sqlite3_value **argv) {
  char text[96];
  (void)argc;
  (void)argv;
  snprintf(text, sizeof(text), "{\"walWrites\":%lld,\"fileWrites\":%lld}", (long long)__atomic_load_n(&walWrites, __ATOMIC_RELAXED),
           (long long)__atomic_load_n(&fileWrites, __ATOMIC_RELAXED));
  sqlite3_result_text(context, text, -1, SQLITE_TRANSIENT);
}

/* Registers the VFS once per process (as the default) and the counters function on `db`. */
#ifdef _WIN32
__declspec(dllexport)
#endif
int sqlite3_walcoalesce_init(sqlite3 *db, char **error, const sqlite3_api_routines *api) {
  int rc = SQLITE_OK;
  sqlite3_mutex *mutex;
  SQLITE_EXTENSION_INIT2(api);
  mutex = sqlite3_mutex_alloc(SQLITE_MUTEX_STATIC_VFS1);
  sqlite3_mutex_enter(mutex);
  if (underlying == NULL) {
    sqlite3_vfs *current = sqlite3_vfs_find(NULL);
    if (current == NULL || current->iVersion < 2) {
      rc = SQLITE_ERROR;
    } else {
      underlying = current;
      coalescingVfs.szOsFile = (int)sizeof(CoalescingFile) + current->szOsFile;
      coalescingVfs.mxPathname = current->mxPathname;
      rc = sqlite3_vfs_register(&coalescingVfs, 1);
      if (rc != SQLITE_OK) underlying = NULL;
    }
  }
  sqlite3_mutex_leave(mutex);
  if (rc != SQLITE_OK) {
    if (error) *error = sqlite3_mprintf("wal-coalesce: the default VFS cannot be wrapped");
    return rc;
  }
  rc = sqlite3_create_function_v2(db, "wal_coalesce_counters", 0, SQLITE_UTF8, NULL, countersFunction, NULL, NULL, NULL);
  return rc == SQLITE_OK ? SQLITE_OK_LOAD_PERMANENTLY : rc;
}
