from celery import shared_task

MAX_PUSH_RETRIES = 8


@shared_task(bind=True, ignore_result=True, max_retries=MAX_PUSH_RETRIES)
def sim_carrier_push(self, callback_url: str, tracking_number: str, step: int = 0) -> int:
    """The simulated carrier's side: post step `step` of a parcel's journey to the mall, then
    schedule the next step. No answer or a 5xx: retried with backoff (the event id is the same
    on every attempt, so a push that did arrive is not recorded twice). A 4xx ends the feed."""
    from .carriers import sim

    try:
        status = sim.push(callback_url=callback_url, tracking_number=tracking_number, step=step)
    except sim.Unreachable as exc:
        raise self.retry(exc=exc, countdown=sim.retry_delay(self.request.retries)) from exc
    if status >= 500:
        raise self.retry(countdown=sim.retry_delay(self.request.retries))
    if 200 <= status < 300 and step + 1 < len(sim.STEPS):
        sim_carrier_push.apply_async(
            kwargs={
                "callback_url": callback_url,
                "tracking_number": tracking_number,
                "step": step + 1,
            },
            countdown=sim.step_seconds(),
        )
    return status
