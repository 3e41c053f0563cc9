/* ring.c - a ring of buffers between one producer thread and one consumer
 * thread: the producer fills free buffers, the consumer reads full ones in
 * the order they were filled, and hands each back by asking for the next. */
#include <pthread.h>
#include <stdlib.h>

#include "ingest/ingest_internal.h"

struct ring_slot {
	char *buf;
	size_t len;
	int status;
};

struct ring {
	pthread_mutex_t lock;
	pthread_cond_t filled, freed;
	struct ring_slot *slot;
	unsigned n;
	size_t size;     /* of each buffer */
	unsigned head;   /* the oldest slot filled and not handed back */
	/* Slots filled and not yet handed back; changed under the lock, read
	 * without it too (HANDOVER_SPIN_WHILE), as closed is. */
	unsigned full;
	bool holding;    /* the consumer holds slot head */
	bool closed;
};

struct ring *ring_new(unsigned nbufs, size_t size)
{
	struct ring *r = br_calloc(1, sizeof *r);
	r->n = nbufs < 2 ? 2 : nbufs;
	r->size = size;
	r->slot = br_calloc(r->n, sizeof *r->slot);
	for (unsigned i = 0; i < r->n; i++)
		r->slot[i].buf = br_malloc(size);
	pthread_mutex_init(&r->lock, NULL);
	pthread_cond_init(&r->filled, NULL);
	pthread_cond_init(&r->freed, NULL);
	return r;
}

void ring_free(struct ring *r)
{
	if (!r)
		return;
	for (unsigned i = 0; i < r->n; i++)
		free(r->slot[i].buf);
	free(r->slot);
	pthread_mutex_destroy(&r->lock);
	pthread_cond_destroy(&r->filled);
	pthread_cond_destroy(&r->freed);
	free(r);
}

char *ring_produce_begin(struct ring *r)
{
	HANDOVER_SPIN_WHILE(__atomic_load_n(&r->full, __ATOMIC_RELAXED) == r->n &&
			    !__atomic_load_n(&r->closed, __ATOMIC_RELAXED));
	pthread_mutex_lock(&r->lock);
	while (!r->closed && r->full == r->n)
		pthread_cond_wait(&r->freed, &r->lock);
	char *buf = r->closed ? NULL : r->slot[(r->head + r->full) % r->n].buf;
	pthread_mutex_unlock(&r->lock);
	return buf;
}

void ring_produce_end(struct ring *r, size_t len, int status)
{
	pthread_mutex_lock(&r->lock);
	struct ring_slot *s = &r->slot[(r->head + r->full) % r->n];
	s->len = len;
	s->status = status;
	__atomic_store_n(&r->full, r->full + 1, __ATOMIC_RELAXED);
	pthread_cond_signal(&r->filled);
	pthread_mutex_unlock(&r->lock);
}

/* Hands back the slot the consumer holds, if any; called locked. */
static void release(struct ring *r)
{
	if (!r->holding)
		return;
	r->holding = false;
	r->head = (r->head + 1) % r->n;
	__atomic_store_n(&r->full, r->full - 1, __ATOMIC_RELAXED);
	pthread_cond_signal(&r->freed);
}

const char *ring_consume(struct ring *r, size_t *len, int *status)
{
	pthread_mutex_lock(&r->lock);
	release(r);
	if (r->full == 0) {
		pthread_mutex_unlock(&r->lock);
		HANDOVER_SPIN_WHILE(!__atomic_load_n(&r->full, __ATOMIC_RELAXED));
		pthread_mutex_lock(&r->lock);
	}
	while (r->full == 0)
		pthread_cond_wait(&r->filled, &r->lock);
	struct ring_slot *s = &r->slot[r->head];
	r->holding = true;
	*len = s->len;
	*status = s->status;
	pthread_mutex_unlock(&r->lock);
	return s->buf;
}

char *ring_take(struct ring *r, size_t *len, int *status, char *spare)
{
	char *buf = (char *)ring_consume(r, len, status);
	if (*status) {
		free(spare);
		return NULL;
	}
	/* The slot is the consumer's until its next call, which hands it
	 * back to the producer, under the lock, with its new buffer. */
	r->slot[r->head].buf = spare ? spare : br_malloc(r->size);
	return buf;
}

void ring_close(struct ring *r)
{
	pthread_mutex_lock(&r->lock);
	release(r);
	__atomic_store_n(&r->closed, true, __ATOMIC_RELAXED);
	pthread_cond_signal(&r->freed);
	pthread_mutex_unlock(&r->lock);
}
