// Answers every request at once with a body the load generator accepts as a created and a
// confirmed intent, so the gateway's client code runs unchanged against it.
export default {
  fetch() {
    return new Response('{"id":"pi_noop","status":"succeeded"}', { headers: { 'Content-Type': 'application/json' } });
  },
};
