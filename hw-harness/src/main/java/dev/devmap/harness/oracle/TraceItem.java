package dev.devmap.harness.oracle;

import dev.devmap.harness.Request;
import dev.devmap.harness.Response;

/** One request and what the device answered: a step of an observed trace. */
public record TraceItem(Request request, Response response) {
    public String show() {
        return request.op().show() + " -> " + response.show();
    }
}
