package dev.sysmoncep.generate;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** Placeholder replaced by the generator branch. */
@Command(name = "generate")
public final class GenerateCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        return 0;
    }
}
