package dev.devmap.harness;

import dev.devmap.kernelapi.Event;
import dev.devmap.kernelapi.Outcome;

import java.util.List;

/**
 * What a device reports for one request.
 *
 * @param before  internal steps it took by itself before the operation took effect, in order
 * @param outcome what the operation did
 * @param after   internal steps it took by itself after the operation, in order (e.g. the end of an
 *                invalidation once the last acknowledgement came in)
 * @param blocks  device_map: the filesystem blocks of the pages (informational)
 * @param addrs   device_map: the DMA (bus) addresses of the pages, one per page
 * @param dmabuf  device_map with PIN: the dma_buf (an fd or handle), else null
 * @param errno   ERROR or BUSY: the errno, else null
 * @param message a message from the device, or null
 * @param byKernel the answer carried {@code "by":"kernel"}: a kernel call made this decision (a refusal
 *                from the kernel's errno, a kernel EBUSY, a {@code started} whose wait the kernel
 *                imposed, an {@code inv_end} the kernel's progress produced); false: the agent decided
 */
public record Response(List<Event> before, Outcome outcome, List<Event> after, List<Integer> blocks, List<Long> addrs,
                       Integer dmabuf, String errno, String message, boolean byKernel) {
    public Response(List<Event> before, Outcome outcome, List<Event> after, List<Integer> blocks, List<Long> addrs,
                    Integer dmabuf, String errno, String message) {
        this(before, outcome, after, blocks, addrs, dmabuf, errno, message, false);
    }

    public Response {
        before = List.copyOf(before);
        after = List.copyOf(after);
        blocks = blocks == null ? List.of() : List.copyOf(blocks);
        addrs = addrs == null ? List.of() : List.copyOf(addrs);
    }

    public static Response of(Outcome o) {
        return new Response(List.of(), o, List.of(), List.of(), List.of(), null, null, null);
    }

    public Response withAfter(List<Event> events) {
        return new Response(before, outcome, events, blocks, addrs, dmabuf, errno, message, byKernel);
    }

    public String show() {
        StringBuilder sb = new StringBuilder(outcome.show());
        if (errno != null && outcome.kind() == Outcome.Answer.ERROR) sb.append(' ').append(errno);
        return sb.toString();
    }
}
