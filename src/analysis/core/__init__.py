"""Infrastructure every layer uses: configuration, errors, file I/O, worker pools, the pinned runtime."""
