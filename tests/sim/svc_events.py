"""EventBridge (awsJson 1.1), optional: ListRules and ListTargetsByRule for the
schedule rules that invoke functions with an events.amazonaws.com permission."""

from protocol import ApiError

PAGE = 100


class Events:
    def __init__(self, sim):
        self.sim = sim
        self.ops = {"ListRules": self.list_rules, "ListTargetsByRule": self.list_targets}

    def _rules(self):
        fleet = self.sim.fleet
        out = []
        for fn in fleet.functions:
            if "events.amazonaws.com" not in fn.principals:
                continue
            name = "%s-schedule" % fn.name
            out.append({"Name": name, "Arn": "arn:aws:events:%s:%s:rule/%s"
                        % (fleet.region, fleet.account, name),
                        "State": "ENABLED", "Description": "invokes %s" % fn.name,
                        "ScheduleExpression": "rate(%d minutes)" % (5 + fn.idx % 4 * 5),
                        "EventBusName": "default", "_function": fn.name})
        return sorted(out, key=lambda r: r["Name"])

    def list_rules(self, req, params):
        bus = params.get("EventBusName", "default")
        rules = [r for r in self._rules() if bus in ("default", r["EventBusName"])]
        prefix = params.get("NamePrefix")
        if prefix:
            rules = [r for r in rules if r["Name"].startswith(prefix)]
        try:
            start = int(params.get("NextToken") or 0)
        except ValueError:
            raise ApiError("ValidationException", "Invalid NextToken", 400)
        limit = params.get("Limit") or PAGE
        page = [{k: v for k, v in r.items() if not k.startswith("_")}
                for r in rules[start:start + limit]]
        out = {"Rules": page}
        if start + limit < len(rules):
            out["NextToken"] = str(start + limit)
        return out

    def list_targets(self, req, params):
        for r in self._rules():
            if r["Name"] == params["Rule"]:
                return {"Targets": [{"Id": "lambda", "Arn": self.sim.fleet.arn(r["_function"])}]}
        raise ApiError("ResourceNotFoundException", "Rule %s does not exist on EventBus "
                       "default." % params["Rule"], 400)
