/*
 * tcpblast: the network benchmark's TCP mover (scripts/bench/networks.mjs).
 * busybox nc moves 1 KiB per read/write, so it measures its own syscalls,
 * not the path; this moves 256 KiB per call. Built static, bind-mounted
 * into the containers and run in plain namespaces alike.
 *
 *   tcpblast -l PORT            accept forever; read each connection to EOF, then close it
 *   tcpblast IP PORT MIB        send MIB MiB, half-close, wait for the server's close;
 *                               prints "<seconds> <MB/s>" (the whole delivery, timed)
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define CHUNK (256 * 1024)
static char buf[CHUNK];

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec / 1e9;
}

static int serve(int port) {
  int s = socket(AF_INET, SOCK_STREAM, 0), one = 1;
  struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port) };
  setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (bind(s, (struct sockaddr *)&a, sizeof a) < 0 || listen(s, 16) < 0) { perror("listen"); return 1; }
  for (;;) {
    int c = accept(s, NULL, NULL);
    if (c < 0) continue;
    while (read(c, buf, CHUNK) > 0) {}
    close(c);
  }
}

static int blast(const char *ip, int port, long mib) {
  struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port) };
  if (inet_pton(AF_INET, ip, &a.sin_addr) != 1) { fprintf(stderr, "bad address %s\n", ip); return 2; }
  int s = -1;
  /* The server may still be starting: retry refusals for up to 10 s. */
  for (int i = 0; i < 200; i++) {
    s = socket(AF_INET, SOCK_STREAM, 0);
    if (connect(s, (struct sockaddr *)&a, sizeof a) == 0) break;
    close(s);
    s = -1;
    usleep(50000);
  }
  if (s < 0) { perror("connect"); return 1; }
  double t0 = now();
  long long left = (long long)mib * 1024 * 1024;
  while (left > 0) {
    ssize_t n = write(s, buf, left < CHUNK ? left : CHUNK);
    if (n < 0) { if (errno == EINTR) continue; perror("write"); return 1; }
    left -= n;
  }
  shutdown(s, SHUT_WR);
  while (read(s, buf, CHUNK) > 0) {}
  double dt = now() - t0;
  printf("%.4f %.1f\n", dt, mib * 1.048576 / dt);
  return 0;
}

int main(int argc, char **argv) {
  if (argc == 3 && strcmp(argv[1], "-l") == 0) return serve(atoi(argv[2]));
  if (argc == 4) return blast(argv[1], atoi(argv[2]), atol(argv[3]));
  fprintf(stderr, "usage: tcpblast -l PORT | tcpblast IP PORT MIB\n");
  return 2;
}
