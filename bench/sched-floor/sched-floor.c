/*
 * The scheduler's floor under a saturated CPU (BENCHMARKS.md, "Flood", wave 19): how long a thread woken by a
 * datagram waits for a CPU that K always-runnable threads share with it, measured without the gateway, the JVM or
 * anything of the project's, so that the flood benchmark's later windows can be read against it.
 *
 * A UDP echo on one CPU (CPU_SERVER): a reader thread receives each request and either answers it itself (HOPS=1)
 * or hands it through a pipe to a writer thread that answers it (HOPS=2: a hand-off between two threads, as a
 * gateway's listener thread hands a message to the thread that delivers it). Beside them on the same CPU, K
 * threads spin at nice NICE. A client on another CPU (CPU_CLIENT) sends N requests, about 1,000 a second, one at a
 * time, and prints the round trip's median, p99, p99.9 and maximum.
 *
 *   gcc -O2 -pthread -o sched-floor sched-floor.c
 *   ./sched-floor K HOPS N [NICE [CPU_SERVER CPU_CLIENT]]
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <math.h>
#include <stdint.h>

static int hops, spin_nice, cpu_server, cpu_client, server, pipe_fd[2];

struct request { struct sockaddr_in from; socklen_t from_len; char data[64]; ssize_t length; };

static void pin(int cpu) {
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(cpu, &set);
  int error = pthread_setaffinity_np(pthread_self(), sizeof set, &set);
  if (error != 0) {
    fprintf(stderr, "cannot pin a thread to CPU %d: %s\n", cpu, strerror(error));
    exit(1);
  }
}

static void *spinner(void *unused) {
  pin(cpu_server);
  if (spin_nice != 0 && setpriority(PRIO_PROCESS, gettid(), spin_nice) != 0) perror("setpriority");
  for (volatile unsigned long n = 0;; n++) {
  }
  return NULL;
}

static void *writer(void *unused) {
  pin(cpu_server);
  struct request r;
  for (;;) {
    if (read(pipe_fd[0], &r, sizeof r) != sizeof r) continue;
    sendto(server, r.data, r.length, 0, (struct sockaddr *)&r.from, r.from_len);
  }
  return NULL;
}

static void *reader(void *unused) {
  pin(cpu_server);
  struct request r;
  for (;;) {
    r.from_len = sizeof r.from;
    r.length = recvfrom(server, r.data, sizeof r.data, 0, (struct sockaddr *)&r.from, &r.from_len);
    if (r.length <= 0) continue;
    if (hops > 1) {
      if (write(pipe_fd[1], &r, sizeof r) != sizeof r) perror("write");
    } else {
      sendto(server, r.data, r.length, 0, (struct sockaddr *)&r.from, r.from_len);
    }
  }
  return NULL;
}

static double now_ms(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

static int by_value(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

/* The nearest-rank percentile q (0..1) of n sorted values. */
static double percentile(const double *sorted, int n, double q) {
  int rank = (int)ceil(q * n);
  return sorted[rank < 1 ? 0 : rank - 1];
}

int main(int argc, char **argv) {
  if (argc < 4) {
    fprintf(stderr, "usage: %s K HOPS N [NICE [CPU_SERVER CPU_CLIENT]]\n", argv[0]);
    return 2;
  }
  int spinners = atoi(argv[1]), n = atoi(argv[3]);
  hops = atoi(argv[2]);
  spin_nice = argc > 4 ? atoi(argv[4]) : 0;
  cpu_server = argc > 6 ? atoi(argv[5]) : 0;
  cpu_client = argc > 6 ? atoi(argv[6]) : 1;
  server = socket(AF_INET, SOCK_DGRAM, 0);
  struct sockaddr_in address = {.sin_family = AF_INET, .sin_port = 0};
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof address;
  if (bind(server, (struct sockaddr *)&address, sizeof address) != 0 ||
      getsockname(server, (struct sockaddr *)&address, &length) != 0 || pipe(pipe_fd) != 0) {
    perror("setup");
    return 1;
  }
  pthread_t thread;
  pthread_create(&thread, NULL, reader, NULL);
  if (hops > 1) pthread_create(&thread, NULL, writer, NULL);
  for (int i = 0; i < spinners; i++) pthread_create(&thread, NULL, spinner, NULL);

  pin(cpu_client);
  int client = socket(AF_INET, SOCK_DGRAM, 0);
  struct timeval timeout = {1, 0};
  setsockopt(client, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  if (connect(client, (struct sockaddr *)&address, sizeof address) != 0) {
    perror("connect");
    return 1;
  }
  double *rtt = malloc(n * sizeof *rtt);
  char data[64];
  int answered = 0, lost = 0;
  usleep(200000);
  for (uint32_t i = 0; i < (uint32_t)n; i++) {
    double sent = now_ms();
    memcpy(data, &i, sizeof i);
    send(client, data, 8, 0);
    /* The answer carrying this request's number; a late answer to an earlier one (after a timeout) is skipped. */
    for (;;) {
      ssize_t got = recv(client, data, sizeof data, 0);
      if (got <= 0) {
        lost++;
        break;
      }
      uint32_t echoed;
      memcpy(&echoed, data, sizeof echoed);
      if (got >= (ssize_t)sizeof echoed && echoed == i) {
        rtt[answered++] = now_ms() - sent;
        break;
      }
    }
    double spent = now_ms() - sent;
    if (spent < 1.0) usleep((useconds_t)((1.0 - spent) * 1000));
  }
  if (answered == 0) {
    printf("K=%d hops=%d nice=%d: no answer\n", spinners, hops, spin_nice);
    return 1;
  }
  qsort(rtt, answered, sizeof *rtt, by_value);
  printf("| %d | %d | %d | %d | %d | %.3f | %.3f | %.3f | %.3f |\n", spinners, spin_nice, hops, answered, lost,
         percentile(rtt, answered, 0.5), percentile(rtt, answered, 0.99), percentile(rtt, answered, 0.999),
         rtt[answered - 1]);
  return 0;
}
