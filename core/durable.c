/* durable.c - see durable.h. */
#include "durable.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <unistd.h>

int durable_sync_dir(const char *path, struct cd_error *err)
{
	char dir[PATH_MAX];
	const char *slash = strrchr(path, '/');
	size_t n;
	int fd, rc;

	if (!slash) {
		dir[0] = '.';
		n = 1;
	} else {
		n = slash == path ? 1 : (size_t)(slash - path);  /* "/x": "/" */
		if (n >= sizeof(dir))
			return cd_error_set(err, CD_ERR_IO, 0,
					    "directory of '%s' longer than %d bytes",
					    path, PATH_MAX - 1);
		memcpy(dir, path, n);
	}
	dir[n] = '\0';
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return cd_error_set(err, CD_ERR_IO, 0, "cannot open directory '%s': %s",
				    dir, strerror(errno));
	rc = fsync(fd);
	if (rc && errno == EINVAL)
		rc = 0;         /* a filesystem that cannot sync directories */
	if (rc)
		rc = cd_error_set(err, CD_ERR_IO, 0, "cannot sync directory '%s': %s",
				  dir, strerror(errno));
	close(fd);
	return rc;
}
