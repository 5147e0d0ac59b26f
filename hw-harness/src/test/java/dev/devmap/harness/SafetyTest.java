package dev.devmap.harness;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A backend touches only what the command line names; a mounted block device is refused. */
class SafetyTest {
    @TempDir
    Path tmp;

    @Test
    void theMountTableIsReadByDeviceNumber() {
        String mountinfo = "22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw\n"
                + "30 22 0:5 / /dev rw - devtmpfs udev rw\n";
        assertThat(Safety.mounted(List.of("8:0", "8:1"), mountinfo)).isEqualTo("8:1 on /");
        assertThat(Safety.mounted(List.of("8:16", "8:17"), mountinfo)).isNull();
    }

    @Test
    void notABlockDeviceOrMissingIsRefused() throws Exception {
        Path f = Files.writeString(tmp.resolve("disk.img"), "x");
        assertThatThrownBy(() -> Safety.blockDevice(f)).hasMessageContaining("is not a block device");
        assertThatThrownBy(() -> Safety.blockDevice(tmp.resolve("nope"))).hasMessageContaining("does not exist");
    }

    /** If this machine has a mounted filesystem on a block device node, that device is refused. */
    @Test
    void aBlockDeviceWithAMountedFilesystemIsRefused() throws Exception {
        Path dev = null;
        for (String line : Files.readAllLines(Paths.get("/proc/self/mountinfo"))) {
            String[] f = line.split(" - ");
            if (f.length < 2) continue;
            String source = f[1].split(" ")[1];
            if (source.startsWith("/dev/") && Files.exists(Paths.get(source))) {
                dev = Paths.get(source);
                break;
            }
        }
        Assumptions.assumeTrue(dev != null, "no mounted filesystem on a visible block device here");
        Path d = dev;
        assertThatThrownBy(() -> Safety.blockDevice(d)).hasMessageContaining("mounted filesystem");
    }

    @Test
    void scratchFilesLiveInAFreshSubdirectoryThatIsRemoved() throws Exception {
        Path sub = Safety.scratch(tmp);
        assertThat(sub.getParent()).isEqualTo(tmp);
        Files.writeString(sub.resolve("f1.img"), "data");
        Files.createDirectories(sub.resolve("deep"));
        Files.writeString(sub.resolve("deep/x"), "y");
        Path keep = Files.writeString(tmp.resolve("keep"), "mine");
        Safety.removeScratch(sub);
        assertThat(sub).doesNotExist();
        assertThat(keep).exists();
        assertThatThrownBy(() -> Safety.scratch(tmp.resolve("missing"))).hasMessageContaining("does not exist");
    }
}
