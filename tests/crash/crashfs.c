/*
 * crashfs.c - an LD_PRELOAD shim that simulates power loss, in the manner
 * of SQLite's crash-test VFS (src/test6.c).
 *
 * It watches one directory, $CRASHFS_DIR, and keeps a shadow of what a
 * disk would hold after a power cut there, on the strict POSIX model:
 *   - a file's contents are durable as of its last fsync()/fdatasync();
 *   - a name (a creation, a rename, an unlink) is durable only once the
 *     directory itself has been fsync'd;
 *   - what was in the directory when the program started is durable.
 * Every write(), pwrite(), fwrite(), fsync(), fdatasync(), rename() and
 * creating open()/fopen() that touches the directory is an "event".  At
 * event number $CRASHFS_AT (1-based) the shim cuts the power before the
 * event happens: it replaces the directory's contents with the durable
 * image (files removed, renames undone, unsynced bytes thrown away) and
 * _exit()s with status 137, as SIGKILL would.  $CRASHFS_AT = (number of
 * events + 1) cuts the power after the program has exited on its own (its
 * exit status is kept), to check what it acknowledged.
 *
 * $CRASHFS_TORN=1 keeps the first half of each file's unsynced appended
 * bytes instead of none: a write torn in the middle of a line.
 * $CRASHFS_COUNT=FILE receives the number of events seen, at exit.
 *
 * Only the watched directory's own entries are tracked (no
 * subdirectories).  The shim is for tests; it is not a filesystem.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#define MAXF 256

struct shadow {
	ino_t ino;
	char *data;             /* durable contents */
	size_t len;
	int used;
};

struct name {
	char name[NAME_MAX + 1];
	ino_t ino;
};

static char dir[PATH_MAX];
static size_t dirlen;
static int active;              /* CRASHFS_DIR set and readable */
static int busy;                /* inside the shim: real calls only */
static long at;                 /* crash before this event; 0: never */
static long events;
static int torn;
static struct shadow files[MAXF];
static struct name names[MAXF]; /* durable directory listing */
static size_t nnames;

static ssize_t (*real_write)(int, const void *, size_t);
static ssize_t (*real_pwrite)(int, const void *, size_t, off_t);
static size_t (*real_fwrite)(const void *, size_t, size_t, FILE *);
static int (*real_fsync)(int);
static int (*real_fdatasync)(int);
static int (*real_rename)(const char *, const char *);
static int (*real_open)(const char *, int, ...);
static int (*real_openat)(int, const char *, int, ...);
static FILE *(*real_fopen)(const char *, const char *);

static void die(const char *what)
{
	char msg[512];
	int n = snprintf(msg, sizeof(msg), "crashfs: %s: %s\n", what,
			 strerror(errno));

	if (n > 0)
		(void)!real_write(2, msg, (size_t)n);
	_exit(99);
}

/* dir + "/" + name into p; dies when it does not fit */
static void join(char *p, size_t n, const char *a, const char *b)
{
	if ((size_t)snprintf(p, n, "%s/%s", a, b) >= n) {
		errno = ENAMETOOLONG;
		die(b);
	}
}

static struct shadow *shadow_of(ino_t ino, int create)
{
	size_t i;

	for (i = 0; i < MAXF; i++)
		if (files[i].used && files[i].ino == ino)
			return &files[i];
	if (!create)
		return NULL;
	for (i = 0; i < MAXF; i++)
		if (!files[i].used) {
			files[i].used = 1;
			files[i].ino = ino;
			files[i].data = NULL;
			files[i].len = 0;
			return &files[i];
		}
	errno = ENOSPC;
	die("too many files");
	return NULL;
}

/* Read all of fd (from offset 0) into a fresh buffer. */
static char *slurp_fd(int fd, size_t *len)
{
	size_t cap = 4096, n = 0;
	char *b = malloc(cap);
	ssize_t r;

	if (!b)
		die("out of memory");
	for (;;) {
		if (n == cap) {
			cap *= 2;
			b = realloc(b, cap);
			if (!b)
				die("out of memory");
		}
		r = pread(fd, b + n, cap - n, (off_t)n);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			die("pread");
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	*len = n;
	return b;
}

static void record_contents(int fd, ino_t ino)
{
	struct shadow *s = shadow_of(ino, 1);
	char p[64];
	int rfd;

	/* fd may be write-only: read the same file through /proc */
	snprintf(p, sizeof(p), "/proc/self/fd/%d", fd);
	rfd = real_open(p, O_RDONLY | O_CLOEXEC);
	if (rfd < 0)
		die(p);
	free(s->data);
	s->data = slurp_fd(rfd, &s->len);
	close(rfd);
}

/* The directory listing as it is now becomes the durable one. */
static void record_names(int snapshot_contents)
{
	DIR *d = opendir(dir);
	struct dirent *e;

	if (!d)
		die("opendir");
	nnames = 0;
	while ((e = readdir(d)) != NULL) {
		char p[PATH_MAX];
		struct stat st;

		if (e->d_name[0] == '.' && (!e->d_name[1] ||
		    (e->d_name[1] == '.' && !e->d_name[2])))
			continue;
		join(p, sizeof(p), dir, e->d_name);
		if (lstat(p, &st) || !S_ISREG(st.st_mode))
			continue;
		if (nnames == MAXF) {
			errno = ENOSPC;
			die("too many names");
		}
		memcpy(names[nnames].name, e->d_name, strlen(e->d_name) + 1);
		names[nnames++].ino = st.st_ino;
		if (snapshot_contents) {
			int fd = real_open(p, O_RDONLY | O_CLOEXEC);

			if (fd < 0)
				die(p);
			record_contents(fd, st.st_ino);
			close(fd);
		} else {
			/* a name made durable before its data: empty */
			shadow_of(st.st_ino, 1);
		}
	}
	closedir(d);
}

/* Is this fd (0: a file, 1: the directory itself) in the watched dir? */
static int fd_watched(int fd, int *is_dir, ino_t *ino)
{
	char link[64], p[PATH_MAX];
	ssize_t n;
	struct stat st;
	char *slash;

	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = readlink(link, p, sizeof(p) - 1);
	if (n < 0)
		return 0;
	p[n] = '\0';
	if (fstat(fd, &st))
		return 0;
	*ino = st.st_ino;
	*is_dir = S_ISDIR(st.st_mode);
	if (*is_dir)
		return !strcmp(p, dir);
	if (!S_ISREG(st.st_mode))
		return 0;
	slash = strrchr(p, '/');
	return slash && (size_t)(slash - p) == dirlen && !strncmp(p, dir, dirlen);
}

static int path_watched(const char *path)
{
	char abs[PATH_MAX], *slash;
	char parent[PATH_MAX];

	if (!path)
		return 0;
	if (path[0] == '/')
		{
			if (strlen(path) >= sizeof(abs))
				return 0;
			memcpy(abs, path, strlen(path) + 1);
		}
	else {
		char cwd[PATH_MAX];

		if (!getcwd(cwd, sizeof(cwd)))
			return 0;
		if ((size_t)snprintf(abs, sizeof(abs), "%s/%s", cwd, path) >=
		    sizeof(abs))
			return 0;
	}
	slash = strrchr(abs, '/');
	if (!slash)
		return 0;
	*slash = '\0';
	if (!realpath(abs[0] ? abs : "/", parent))
		return 0;
	return !strcmp(parent, dir);
}

/* Power loss: the directory becomes its durable image. */
static void cut_power(void)
{
	DIR *d;
	struct dirent *e;
	size_t i;

	busy = 1;
	/* the current contents of each durable name, for torn mode */
	for (i = 0; i < nnames; i++) {
		struct shadow *s = shadow_of(names[i].ino, 1);
		char p[PATH_MAX];
		int fd;

		if (!torn)
			continue;
		join(p, sizeof(p), dir, names[i].name);
		fd = real_open(p, O_RDONLY | O_CLOEXEC);
		if (fd >= 0) {
			struct stat st;
			size_t n;
			char *now;

			if (!fstat(fd, &st) && st.st_ino == names[i].ino) {
				now = slurp_fd(fd, &n);
				/* keep half of an unsynced append */
				if (n > s->len && !memcmp(now, s->data ? s->data : "",
							  s->len)) {
					free(s->data);
					s->data = now;
					s->len = s->len + (n - s->len) / 2;
				} else
					free(now);
			}
			close(fd);
		}
	}
	d = opendir(dir);
	if (!d)
		die("opendir");
	while ((e = readdir(d)) != NULL) {
		char p[PATH_MAX];

		if (e->d_name[0] == '.' && (!e->d_name[1] ||
		    (e->d_name[1] == '.' && !e->d_name[2])))
			continue;
		join(p, sizeof(p), dir, e->d_name);
		unlink(p);
	}
	closedir(d);
	for (i = 0; i < nnames; i++) {
		struct shadow *s = shadow_of(names[i].ino, 1);
		char p[PATH_MAX];
		int fd;
		size_t off = 0;

		join(p, sizeof(p), dir, names[i].name);
		/* the same inode under two durable names: written twice */
		fd = real_open(p, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		if (fd < 0)
			die(p);
		while (off < s->len) {
			ssize_t n = real_write(fd, s->data + off, s->len - off);

			if (n < 0)
				die(p);
			off += (size_t)n;
		}
		real_fsync(fd);
		close(fd);
	}
}

static void event(void)
{
	if (!active || busy)
		return;
	events++;
	if (at > 0 && events == at) {
		cut_power();
		_exit(137);
	}
}

__attribute__((constructor)) static void crashfs_init(void)
{
	const char *d = getenv("CRASHFS_DIR"), *a = getenv("CRASHFS_AT");
	const char *t = getenv("CRASHFS_TORN");

	real_write = (ssize_t (*)(int, const void *, size_t))dlsym(RTLD_NEXT, "write");
	real_pwrite = (ssize_t (*)(int, const void *, size_t, off_t))dlsym(RTLD_NEXT, "pwrite");
	real_fwrite = (size_t (*)(const void *, size_t, size_t, FILE *))dlsym(RTLD_NEXT, "fwrite");
	real_fsync = (int (*)(int))dlsym(RTLD_NEXT, "fsync");
	real_fdatasync = (int (*)(int))dlsym(RTLD_NEXT, "fdatasync");
	real_rename = (int (*)(const char *, const char *))dlsym(RTLD_NEXT, "rename");
	real_open = (int (*)(const char *, int, ...))dlsym(RTLD_NEXT, "open");
	real_openat = (int (*)(int, const char *, int, ...))dlsym(RTLD_NEXT, "openat");
	real_fopen = (FILE *(*)(const char *, const char *))dlsym(RTLD_NEXT, "fopen");
	if (!d || !*d)
		return;
	if (!realpath(d, dir))
		die(d);
	dirlen = strlen(dir);
	at = a ? strtol(a, NULL, 10) : 0;
	torn = t && *t == '1';
	busy = 1;
	record_names(1);
	busy = 0;
	active = 1;
}

__attribute__((destructor)) static void crashfs_fini(void)
{
	const char *c = getenv("CRASHFS_COUNT");

	if (!active || busy)
		return;
	if (c && *c) {
		FILE *f;

		busy = 1;
		f = real_fopen(c, "w");
		if (f) {
			fprintf(f, "%ld\n", events);
			fclose(f);
		}
		busy = 0;
	}
	if (at > 0 && events + 1 == at)
		cut_power();    /* after a normal exit: the status is kept */
}

ssize_t write(int fd, const void *buf, size_t n)
{
	int isdir;
	ino_t ino;

	if (active && !busy && fd_watched(fd, &isdir, &ino))
		event();
	return real_write(fd, buf, n);
}

ssize_t pwrite(int fd, const void *buf, size_t n, off_t off)
{
	int isdir;
	ino_t ino;

	if (active && !busy && fd_watched(fd, &isdir, &ino))
		event();
	return real_pwrite(fd, buf, n, off);
}

size_t fwrite(const void *p, size_t size, size_t n, FILE *fp)
{
	int isdir;
	ino_t ino;

	if (active && !busy && fd_watched(fileno(fp), &isdir, &ino))
		event();
	return real_fwrite(p, size, n, fp);
}

static int sync_common(int fd, int (*real)(int))
{
	int isdir, rc;
	ino_t ino;

	if (!active || busy || !fd_watched(fd, &isdir, &ino))
		return real(fd);
	event();
	rc = real(fd);
	if (rc == 0) {
		busy = 1;
		if (isdir)
			record_names(0);
		else
			record_contents(fd, ino);
		busy = 0;
	}
	return rc;
}

int fsync(int fd)
{
	return sync_common(fd, real_fsync);
}

int fdatasync(int fd)
{
	return sync_common(fd, real_fdatasync);
}

int rename(const char *from, const char *to)
{
	if (active && !busy && (path_watched(from) || path_watched(to)))
		event();
	return real_rename(from, to);
}

int open(const char *path, int flags, ...)
{
	mode_t mode = 0;

	if (flags & (O_CREAT | O_TMPFILE)) {
		va_list ap;

		va_start(ap, flags);
		mode = (mode_t)va_arg(ap, int);
		va_end(ap);
		if (active && !busy && path_watched(path))
			event();
	}
	return real_open(path, flags, mode);
}

int open64(const char *path, int flags, ...) __attribute__((alias("open")));

int openat(int dfd, const char *path, int flags, ...)
{
	mode_t mode = 0;

	if (flags & (O_CREAT | O_TMPFILE)) {
		va_list ap;

		va_start(ap, flags);
		mode = (mode_t)va_arg(ap, int);
		va_end(ap);
		if (active && !busy && (dfd == AT_FDCWD || path[0] == '/') &&
		    path_watched(path))
			event();
	}
	return real_openat(dfd, path, flags, mode);
}

int openat64(int dfd, const char *path, int flags, ...) __attribute__((alias("openat")));

FILE *fopen(const char *path, const char *mode)
{
	if (active && !busy && (strchr(mode, 'w') || strchr(mode, 'a')) &&
	    path_watched(path))
		event();
	return real_fopen(path, mode);
}

FILE *fopen64(const char *path, const char *mode) __attribute__((alias("fopen")));
