"""SQS message move tasks (DLQ redrive): StartMessageMoveTask moves the visible
messages of a dead-letter queue to their source (or a given destination) at
MaxNumberOfMessagesPerSecond in real time, in the background; one active task per
source queue."""

import asyncio
import base64
import json
import time

from lambda_config import det_uuid
from protocol import ApiError
from sqsqueue import Message


def _invalid(message):
    return ApiError("InvalidParameterValue", message, 400, query_code="InvalidParameterValue")


class Task:
    def __init__(self, handle, source, dest_arn, rate, to_move):
        self.handle = handle
        self.source = source
        self.dest_arn = dest_arn
        self.rate = rate
        self.to_move = to_move
        self.moved = 0
        self.status = "RUNNING"
        self.failure = None
        self.started = int(time.time() * 1000)
        self.job = None

    def doc(self):
        d = {"TaskHandle": self.handle, "Status": self.status, "SourceArn": self.source.arn,
             "ApproximateNumberOfMessagesMoved": self.moved,
             "ApproximateNumberOfMessagesToMove": self.to_move,
             "StartedTimestamp": self.started}
        if self.dest_arn:
            d["DestinationArn"] = self.dest_arn
        if self.rate:
            d["MaxNumberOfMessagesPerSecond"] = self.rate
        if self.failure:
            d["FailureReason"] = self.failure
        return d


class MoveTasks:
    def __init__(self, sqs):
        self.sqs = sqs
        self.reset()

    def reset(self):
        self.stop()
        self.tasks = []

    def stop(self):
        for t in getattr(self, "tasks", []):
            if t.job is not None:
                t.job.cancel()

    def _is_dlq(self, q):
        for name in self.sqs.names():
            spec = self.sqs.specs.get(name, {})
            if spec.get("dlq") == q.name:
                return True
            other = self.sqs.queues.get(name)
            if other is not None and (other.redrive() or ("",))[0] == q.arn:
                return True
        return False

    def start(self, req, params):
        src = self.sqs.by_arn(params["SourceArn"])
        if src is None:
            raise ApiError("ResourceNotFoundException", "The resource that you specified for "
                           "the SourceArn parameter doesn't exist.", 404,
                           query_code="ResourceNotFoundException")
        if not self._is_dlq(src):
            raise _invalid("Source queue must be configured as a Dead Letter Queue.")
        dest_arn = params.get("DestinationArn")
        if dest_arn and self.sqs.by_arn(dest_arn) is None:
            raise _invalid("The resource that you specified for the DestinationArn parameter "
                           "doesn't exist.")
        rate = params.get("MaxNumberOfMessagesPerSecond")
        if rate is not None and not 1 <= rate <= 500:
            raise _invalid("Value %d for parameter MaxNumberOfMessagesPerSecond is invalid. "
                           "Reason: must be between 1 and 500." % rate)
        if any(t.source is src and t.status in ("RUNNING", "CANCELLING") for t in self.tasks):
            raise _invalid("There is already a task running. Only one active task is allowed "
                           "for a source queue arn at a given time.")
        handle = base64.b64encode(json.dumps({"taskId": "%d" % len(self.tasks),
                                              "sourceArn": src.arn}).encode()).decode()
        visible, _, _ = src.counts(self.sqs.now())
        task = Task(handle, src, dest_arn, rate, visible)
        self.tasks.append(task)
        task.job = self.sqs.sim.spawn(self._run(task))
        return {"TaskHandle": handle}

    async def _run(self, task):
        rate = task.rate or 500
        step = 0.1
        carry = 0.0
        while task.status == "RUNNING":
            await asyncio.sleep(step)
            carry += rate * step
            n, carry = int(carry), carry - int(carry)
            for _ in range(n):
                if not self._move_one(task):
                    task.status = "COMPLETED" if task.status == "RUNNING" else task.status
                    return
                task.moved += 1
        if task.status == "CANCELLING":
            task.status = "CANCELLED"

    def _move_one(self, task):
        now = self.sqs.now()
        src = task.source
        msg = next((m for m in src.messages if m.visible_at <= now), None)
        if msg is None or task.moved >= task.to_move:
            return False
        arn = task.dest_arn or msg.source_arn
        try:
            dest = self.sqs.by_arn(arn) if arn else None
        except ApiError:
            dest = None  # a message that never came from a source queue: AWS fails the task
        if dest is None:
            task.status = "FAILED"
            task.failure = "AWS.SimpleQueueService.NonExistentQueue"
            return False
        src.remove(msg)
        copy = Message(det_uuid(msg.id, task.handle, "moved"), msg.body, msg.attrs, now, now)
        copy.sys_attrs = dict(msg.sys_attrs)
        dest.add(copy, now, 0, msg.group or ("moved" if dest.fifo else None),
                 msg.dedup or copy.id if dest.fifo else None)
        return True

    def _find(self, handle):
        for t in self.tasks:
            if t.handle == handle:
                return t
        return None

    def list(self, req, params):
        src = self.sqs.by_arn(params["SourceArn"])
        n = params.get("MaxResults") or 1
        if not 1 <= n <= 10:
            raise _invalid("Value %d for parameter MaxResults is invalid. Reason: must be "
                           "between 1 and 10." % n)
        mine = [t for t in self.tasks if t.source is src][::-1][:n]
        return {"Results": [t.doc() for t in mine]}

    def cancel(self, req, params):
        task = self._find(params["TaskHandle"])
        if task is None:
            raise ApiError("ResourceNotFoundException", "Task does not exist.", 404,
                           query_code="ResourceNotFoundException")
        if task.status != "RUNNING":
            raise ApiError("UnsupportedOperation", "Only active tasks can be cancelled.", 400,
                           query_code="AWS.SimpleQueueService.UnsupportedOperation")
        task.status = "CANCELLED"
        return {"ApproximateNumberOfMessagesMoved": task.moved}
