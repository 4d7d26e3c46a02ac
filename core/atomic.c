/*
 * atomic.c - see atomic.h.
 */
#include "atomic.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

int atomic_open(struct atomic_file *af, const char *path, struct cd_error *err)
{
	af->fp = NULL;
	af->tmp[0] = '\0';
	if (strlen(path) >= sizeof(af->path))
		return cd_error_set(err, CD_ERR_USAGE, 0, "path too long");
	strcpy(af->path, path);
	snprintf(af->tmp, sizeof(af->tmp), "%s.tmp.%ld", path, (long)getpid());
	af->fp = fopen(af->tmp, "wb");
	if (!af->fp) {
		int e = errno;

		cd_error_set(err, CD_ERR_IO, 0, "cannot create '%s': %s",
			     af->tmp, strerror(e));
		af->tmp[0] = '\0';
		return CD_ERR_IO;
	}
	return 0;
}

int atomic_sync_dir(const char *path)
{
	char dir[ATOMIC_PATH_MAX];
	const char *slash = strrchr(path, '/');
	int fd, rc;

	if (!slash) {
		strcpy(dir, ".");
	} else if (slash == path) {
		strcpy(dir, "/");
	} else if ((size_t)(slash - path) >= sizeof(dir)) {
		errno = ENAMETOOLONG;   /* the journal's path is not capped */
		return -1;
	} else {
		memcpy(dir, path, (size_t)(slash - path));
		dir[slash - path] = '\0';
	}
	fd = open(dir, O_RDONLY | O_DIRECTORY);
	if (fd < 0)
		return -1;
	rc = fsync(fd);
	/* some file systems cannot fsync a directory: that is not a failure */
	if (rc && (errno == EINVAL || errno == EROFS))
		rc = 0;
	close(fd);
	return rc;
}

int atomic_commit(struct atomic_file *af, struct cd_error *err)
{
	int bad, e;

	if (!af->fp)
		return cd_error_set(err, CD_ERR_USAGE, 0, "no file to commit");
	errno = 0;
	bad = ferror(af->fp) | fflush(af->fp) | fsync(fileno(af->fp));
	e = errno;
	bad |= fclose(af->fp);
	if (bad && !e)
		e = errno;
	af->fp = NULL;
	if (bad) {
		cd_error_set(err, CD_ERR_IO, 0, "cannot write '%s': %s", af->tmp,
			     strerror(e ? e : EIO));
		remove(af->tmp);
		af->tmp[0] = '\0';
		return CD_ERR_IO;
	}
	if (rename(af->tmp, af->path)) {
		e = errno;
		cd_error_set(err, CD_ERR_IO, 0, "cannot rename '%s' to '%s': %s",
			     af->tmp, af->path, strerror(e));
		remove(af->tmp);
		af->tmp[0] = '\0';
		return CD_ERR_IO;
	}
	af->tmp[0] = '\0';
	if (atomic_sync_dir(af->path)) {
		e = errno;
		return cd_error_set(err, CD_ERR_IO, 0,
				    "cannot sync the directory of '%s': %s",
				    af->path, strerror(e));
	}
	return 0;
}

void atomic_rollback(struct atomic_file *af)
{
	if (af->fp) {
		fclose(af->fp);
		af->fp = NULL;
	}
	if (af->tmp[0]) {
		remove(af->tmp);
		af->tmp[0] = '\0';
	}
}
