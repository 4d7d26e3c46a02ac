/*
 * crash_ops.c - file operations from the command line, in one process, to
 * test the crashfs shim itself:
 *   crash_ops OP... with OP one of
 *     w FILE TEXT    append TEXT to FILE (created if needed)
 *     s FILE         fsync FILE
 *     d DIR          fsync the directory DIR
 *     r FROM TO      rename FROM to TO
 * Exit 0, or 1 naming the operation that failed.
 */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static int sync_path(const char *path, int flags)
{
	int fd = open(path, flags | O_CLOEXEC);
	int rc;

	if (fd < 0)
		return -1;
	rc = fsync(fd);
	close(fd);
	return rc;
}

int main(int argc, char **argv)
{
	int i = 1;

	while (i < argc) {
		const char *op = argv[i];
		int rc = -1;

		if (!strcmp(op, "w") && i + 2 < argc) {
			int fd = open(argv[i + 1], O_WRONLY | O_CREAT | O_APPEND |
				      O_CLOEXEC, 0644);
			size_t n = strlen(argv[i + 2]);

			if (fd >= 0) {
				rc = write(fd, argv[i + 2], n) == (ssize_t)n ? 0 : -1;
				close(fd);
			}
			i += 3;
		} else if (!strcmp(op, "s") && i + 1 < argc) {
			rc = sync_path(argv[i + 1], O_RDONLY);
			i += 2;
		} else if (!strcmp(op, "d") && i + 1 < argc) {
			rc = sync_path(argv[i + 1], O_RDONLY | O_DIRECTORY);
			i += 2;
		} else if (!strcmp(op, "r") && i + 2 < argc) {
			rc = rename(argv[i + 1], argv[i + 2]);
			i += 3;
		} else {
			fprintf(stderr, "crash_ops: bad operation '%s'\n", op);
			return 2;
		}
		if (rc) {
			perror(op);
			return 1;
		}
	}
	return 0;
}
