# frozen_string_literal: true

# distributest.rb: what adapter-rspec, adapter-minitest and adapter-test-unit
# share, loaded by each with require_relative: the protocol of
# distributest-adapter(7) (fields, requests, results, `down`, exit statuses),
# the selection of units, RERUN commands, fork isolation, and, in XUnit, what
# minitest and test-unit have in common. The adapters run inside the tests'
# process: everything is under Distributest, and loading this file loads no
# library.

module Distributest
  LINE_MAX = 65_536 # DT_LINE_MAX: longest line, escaped, without the newline
  FIELD_MAX = 16_000 # longest field we write, escaped; 4 fields stay < LINE_MAX
  EX_DATAERR = 101 # DT_EX_DATA in the one exit status table
  EX_SYS = 111 # DT_EX_SYS
  SAFE_WORD = %r{\A[A-Za-z0-9_./:@%+=,-]+\z}n.freeze

  class BadLine < StandardError; end

  class << self
    # The adapter's name, such as "adapter-rspec": it starts messages, marks
    # cut fields, and names with this file the frames left out of backtraces.
    attr_reader :prog, :truncated, :own_frame
    # Quiet: no Bundler line on stdout, no `down` line on fd 3 (finders,
    # merge-ruby).
    attr_writer :quiet

    def prog=(name)
      @prog = name
      @truncated = "...[truncated by #{name}]".b.freeze
      @own_frame = %r{(?:\A|/)(?:#{Regexp.escape(name)}|#{Regexp.escape(File.basename(__FILE__))}):\d+:in }
    end

    # Whether Bundler was loaded for a Gemfile: RERUN then starts with
    # `bundle exec`.
    def bundled?
      @bundled
    end

    # Names the adapter, loads Bundler as the user's own command would (see
    # bundler), then the framework's LIBRARIES; goes down when one fails.
    def start(prog, framework, *libraries)
      self.prog = prog
      CompileCache.install
      CompileCache.sweep_at_exit
      Template.hold if Template.fd
      @env = ENV.to_h # Bundler.setup adds RUBYOPT=-rbundler/setup and more
      Template.check(framework, @env) if Template.fd
      @bundled = bundler(restart: true)
      begin
        libraries.each { |library| require library }
        say_bundler("used: #{@gemfile} resolves") if @bundled == :setup
      rescue LoadError => e
        # plain `rake test` works where a Gemfile without the framework
        # resolves: auto does not choose a bundle that cannot run it.
        restart(LACKS => "#{framework} (#{e.message})") if @bundled == :setup
        down("cannot load #{framework}: #{e.message}")
      end
    end

    NOT_RESOLVED = "DT_BUNDLER_NOT_RESOLVED"
    LACKS = "DT_BUNDLER_LACKS"

    # With a Gemfile, DT_BUNDLER says whether to set up its bundle: "yes"
    # (going down when it does not resolve), "no", or "auto" (the default):
    # only when it resolves, as `bundle exec rspec` works then and plain
    # `rspec` otherwise.  One line on stdout, in the log, says which and why.
    #
    # Even a failed Bundler.setup has evaluated the Gemfile and the
    # project's gemspec, which often requires lib/NAME/version.rb: loaded
    # before SimpleCov starts, that file would not be covered, where plain
    # `rspec` covers it. So with RESTART, a failed setup starts the process
    # again, told why in the environment, to leave Bundler alone. Probing
    # in a forked child instead would cost a second setup (0.3 s on a small
    # Gemfile) whenever the bundle resolves.
    #
    # With auto, a bundle that resolves but cannot load the framework
    # (a Gemfile that does not name minitest, a bundled gem) is not used
    # either: start restarts without it, and the line says so.
    def bundler(restart: false)
      failed = ENV.delete(NOT_RESOLVED)
      lacks = ENV.delete(LACKS)
      mode = ENV.fetch("DT_BUNDLER", "auto")
      gemfile = ENV["BUNDLE_GEMFILE"] || ("Gemfile" if File.file?("Gemfile"))
      return false if gemfile.nil?
      return false if mode == "no" && say_bundler("not used: bundler = no")
      # Under `bundle exec distributest`, RUBYOPT set it up already.
      return true if defined?(::Bundler) && say_bundler("used: set up by RUBYOPT")
      return false if lacks && say_bundler("not used: #{gemfile} resolves, but its bundle has no #{lacks}; " \
                                           "bundler = auto")

      why = failed || setup_bundler
      if why
        down("bundler: #{gemfile}: #{why}") if mode == "yes"
        restart(NOT_RESOLVED => why) if restart && !failed
        say_bundler("not used: #{gemfile} does not resolve (#{why}); bundler = auto")
        return false
      end
      # Said by start once the framework loads; :setup, auto's choice, is
      # what a framework that does not load takes back.
      @gemfile = gemfile
      say_bundler("used: #{gemfile} resolves") unless restart && mode == "auto"
      mode == "auto" ? :setup : true
    end

    # Ruby's own options (-I...) are only in /proc/self/cmdline.
    def restart(env)
      command = begin
        File.binread("/proc/self/cmdline").split("\0").drop(1)
      rescue SystemCallError
        []
      end
      command = [$PROGRAM_NAME, *ARGV] if command.empty?
      $stdout.flush
      $stdout.reopen(@out) if @out # a finder's list
      env = (@env || ENV.to_h).merge(env.transform_values { |v| v.delete("\0") })
      env.update(Template.env) if Template.fd # and its descriptor stays open
      exec(env, RbConfig.ruby, *command, unsetenv_others: true)
    rescue SystemCallError => e
      warn "#{prog}: cannot start again without Bundler: #{e.message}"
    end

    # Bundler.setup, quietly: a gemspec's `git ls-files` complains in a copy
    # without .git. Why it failed, or nil.
    def setup_bundler
      quietly do
        require "bundler"
        ::Bundler.setup
      end
      nil
    rescue LoadError, StandardError => e
      "#{e.class}: #{e.message.lines.first.to_s.strip}"
    end

    # In a runner forked from the template: its environment is the one to
    # start again with, and what the template would have said it says.
    def preloaded
      @env = ENV.to_h
      (@said || []).each { |what| $stdout.puts("#{prog}: Bundler #{what}") }
      @said = nil
    end

    def say_bundler(what)
      return true if @quiet
      return (@said ||= []) << what if Template.fd # said by each runner

      $stdout.puts("#{prog}: Bundler #{what}")
      $stdout.flush
      true
    end

    # Gives up before `ready`: the reason goes to stderr and, as a `down` line
    # (which dt-spawn reports as the runner's reason), to fd 3.
    def down(reason)
      Template.decline(reason) if Template.fd
      reason = "#{prog}: #{reason}"
      warn reason
      @quiet or IO.new(3, "wb", autoclose: false).write("down\t#{reason.b.gsub(/[\\\t\n\0]+/n, ' ').strip.byteslice(0, 2000)}\n".b)
    rescue StandardError
      nil
    ensure
      exit 1
    end

    def die(what, status = 100)
      warn "#{prog}: #{what}"
      exit status
    end

    # A field as UTF-8 when it is valid UTF-8, else as bytes.
    def utf8_or_bytes(field)
      field = field.dup.force_encoding(Encoding::UTF_8)
      field.valid_encoding? ? field : field.force_encoding(Encoding::BINARY)
    end

    # A RERUN command: WORDS as a person would type them in the project root,
    # quoted for sh(1) where needed, after `bundle exec` when bundled?.
    def rerun(*words)
      words.unshift(*bundle_exec) if bundled?
      words.map { |word| quote(word) }.join(" ".b)
    end

    # `bundle exec`, with the bundle command this machine has: Debian's
    # ruby ships bundle3.1, and `bundle` only comes with its bundler
    # package; without either, Ruby loads Bundler itself.
    def bundle_exec
      @bundle_exec ||= begin
        path = ENV.fetch("PATH", "").split(File::PATH_SEPARATOR)
        version = RbConfig::CONFIG["ruby_version"].to_s[/\A\d+\.\d+/]
        found = ["bundle", "bundle#{version}"].find do |name|
          path.any? { |dir| File.executable?(File.join(dir, name)) }
        end
        found ? [found, "exec"] : ["ruby", "-rbundler/setup", "-S"]
      end
    end

    def quote(word)
      word = word.to_s.b
      return word if word.match?(SAFE_WORD)

      "'".b + word.gsub("'".b) { "'\\''".b } + "'".b
    end

    # EXCEPTION described: the lines the block gives, then its causes, after
    # PREFIX; as bytes, since messages and paths may be in any encoding.
    def describe_exception(exception, prefix)
      lines = yield
      cause = exception.cause
      5.times do
        break unless cause

        lines << "#{prefix}--- Caused by: #{cause.class}: ".b + cause.message.to_s.b
        cause = cause.cause
      end
      lines.join("\n".b)
    rescue StandardError => e
      "#{exception.class} (#{prog} could not describe it: #{e.class}: #{e.message})".b
    end

    # A finder's life (find-rspec, find-xunit): ARGV is `[-a ARG]... --
    # [PATH...]`, the framework's arguments then the paths to search. Bundler
    # is set up as the runners will (quietly: the runners say which); the
    # block gets the arguments and the paths and returns the test files,
    # which go to stdout relative to the project, each ended by a NUL.
    #
    # NEEDS, the framework's library the finder loads, or nil: a bundle set
    # up by auto that cannot load it is left alone, as the runners leave it.
    def find(prog, argv, needs: nil)
      self.prog = prog
      CompileCache.install
      @quiet = true
      @env = ENV.to_h
      args = []
      while argv.first == "-a" && argv.size > 1
        argv.shift
        args << argv.shift
      end
      die "usage: #{prog} [-a arg]... -- [path ...]" unless argv.shift == "--"
      # What Bundler and the framework print is not a file list.
      out = @out = $stdout.dup
      $stdout.reopen($stderr)
      # Without a Gemfile.lock, Bundler.setup would write one, which plain
      # `rake test` does not: the gems are then the ones installed.
      gemfile = ENV["BUNDLE_GEMFILE"] || "Gemfile"
      @bundled = File.file?("#{gemfile}.lock") && quietly { bundler }
      bundle_loads(needs) if @bundled == :setup && needs
      root = File.realpath(Dir.pwd) + "/"
      found = yield(args, argv).map do |file|
        file = File.expand_path(file)
        file.start_with?(root) ? file.delete_prefix(root) : file
      end
      out.binmode
      found.uniq.each { |file| out.write(file.b, "\0") }
      out.flush
      exit 0
    end

    def bundle_loads(library)
      require library
    rescue LoadError => e
      restart(LACKS => "#{library} (#{e.message})")
    end

    # What the block writes to stderr, such as a gemspec's `git ls-files`
    # outside a repository, is lost.
    def quietly
      saved = $stderr.dup
      $stderr.reopen(File::NULL, "w")
      yield
    ensure
      $stderr.reopen(saved)
    end

    # The adapter's life. The block gets the arguments and the Results, and
    # returns the booted worker, which answers run_file(PATH, MODE, IDS) for
    # each request, MODE being nil, "only" or "except". With ISOLATE, and
    # DT_ISOLATE=fork, each file runs in a Forker's child instead.
    def main(argv, isolate: false)
      Template.serve(argv) if Template.fd
      $stdout.sync = true
      $stderr.sync = true
      results_io = begin
        IO.new(3, "wb", autoclose: false)
      rescue SystemCallError, ArgumentError
        die "fd 3 is not open: results are written there (see distributest-adapter(7))"
      end
      results_io.sync = true
      results_io.close_on_exec = true # test subprocesses must not hold the pipe
      # Requests get a private descriptor; tests that read stdin (or ARGF) get
      # /dev/null instead of the request stream.
      requests = $stdin.dup
      requests.binmode
      $stdin.reopen(File::NULL)
      args = argv.dup
      argv.clear

      results = Results.new(results_io)
      worker = yield(args, results)
      runner = isolate && ENV["DT_ISOLATE"] == "fork" ? Forker.new(worker, results, requests, results_io) : worker
      results.line("ready")
      SimpleCovHome.announce(results)
      serve(requests, runner, results)
      # The end of the session, here only: the input ended, or the results
      # can no longer be written. SimpleCov first: Minitest.after_run
      # writes its result.
      SimpleCovHome.session_end(results)
      worker.end_session if worker.respond_to?(:end_session)
      exit(results.broken? ? 1 : 0)
    end

    # PATH relative to the working directory, or nil when it is outside.
    def in_cwd(path)
      path = File.expand_path(path)
      [Dir.pwd, File.realpath(Dir.pwd)].uniq.each do |cwd|
        return path.delete_prefix("#{cwd}/") if path.start_with?("#{cwd}/")
      end
      nil
    end

    # The paths of the files this process was asked to run, in order.
    def ran
      @ran ||= []
    end

    # The request loop, until the end of the input or of the results pipe.
    def serve(requests, runner, results)
      lineno = 0
      while (line = requests.gets("\n", LINE_MAX + 2))
        lineno += 1
        begin
          fields = request(line)
        rescue BadLine => e
          die "stdin line #{lineno}: #{e.message}", EX_DATAERR
        end
        next unless fields

        ran << fields[1]
        SimpleCovHome.file_starts(fields[1])
        runner.run_file(fields[1], fields[2], fields.drop(3))
        return if results.broken?
      end
    end

    # The fields of a `run` request, from LINE as read, newline included; nil
    # for another verb, which is ignored.
    def request(line)
      unless line.end_with?("\n")
        raise BadLine, line.bytesize > LINE_MAX ? "line longer than #{LINE_MAX} bytes" : "no newline at end of input"
      end
      line = line.chomp("\n")
      raise BadLine, "line longer than #{LINE_MAX} bytes" if line.bytesize > LINE_MAX

      fields = line.split("\t", -1).map { |f| Wire.unescape(f) }
      return nil unless fields.first == "run"
      unless fields.size == 2 || (fields.size > 2 && %w[only except].include?(fields[2]))
        raise BadLine, "run takes PATH [only|except ID...], got #{fields.size - 1} fields"
      end

      fields
    end
  end

  # The compile cache ("The compile cache" in distributest-adapter(7)):
  # Ruby's own library and the installed gems, compiled once into
  # instruction sequences kept under XDG_CACHE_HOME, so that a runner, the
  # template and a finder load RSpec or minitest without compiling them
  # again. Not the project's files: each runner's tree has its own paths,
  # and they change from run to run. An entry is used only while its file
  # has the device, inode, size and times it was compiled from, by this
  # Ruby with the compile options of the moment, and its checksum holds;
  # anything else compiles as Ruby would.
  module CompileCache
    class << self
      def install
        return if @dir || ENV["DT_COMPILE_CACHE"] == "no" || !RubyVM::InstructionSequence.respond_to?(:load_from_binary)

        base = ENV["XDG_CACHE_HOME"].to_s
        base = File.join(Dir.home, ".cache") unless base.start_with?("/")
        return unless base.start_with?("/") # HOME relative or empty: no cache

        @dir = private_dir(base, "distributest", ".ruby", "#{RUBY_VERSION}-#{RUBY_REVISION[0, 12]}-#{RUBY_PLATFORM}")
        return unless @dir

        roots = RbConfig::CONFIG.values_at("rubylibprefix", "vendordir", "sitedir", "rubyarchdir")
        roots.concat(Gem.path) if defined?(Gem)
        @roots = roots.compact.select { |r| r.start_with?("/") && r.size > 1 }.map { |r| r.chomp("/") + "/" }.uniq
        RubyVM::InstructionSequence.singleton_class.prepend(Hook)
      rescue StandardError # no home: Ruby compiles as always
        @dir = nil
      end

      # BASE/NAMES..., made 0700 where missing (as BASE's parents). Used
      # only if no other user can change what is in it: BASE theirs or
      # root's and writable by no one else unless sticky (/tmp), each of
      # NAMES a directory of ours that only we may write.
      def private_dir(base, *names)
        dir = File.join(base, *names)
        mkdir_p(dir)
        st = File.stat(base)
        return nil unless (st.owned? || st.uid.zero?) && ((st.mode & 0o022).zero? || st.sticky?)

        names.inject(base) do |parent, name|
          path = File.join(parent, name)
          st = File.lstat(path)
          return nil unless st.directory? && st.owned? && (st.mode & 0o022).zero?

          path
        end
      rescue SystemCallError
        nil
      end

      def mkdir_p(dir)
        Dir.mkdir(dir, 0o700)
      rescue Errno::EEXIST
        nil
      rescue Errno::ENOENT
        raise if File.dirname(dir) == dir

        mkdir_p(File.dirname(dir))
        Dir.mkdir(dir, 0o700)
      end

      # The header of an entry: what it was compiled by and with.
      def head
        options = RubyVM::InstructionSequence.compile_option
        return @head if options == @options

        @options = options
        @head = "distributest iseq 2 #{options.sort.inspect}\n"
      end

      # Loaded, a binary counts no lines: Coverage set up, even paused,
      # gets the files compiled.
      def coverage?
        return false unless defined?(::Coverage)

        ::Coverage.respond_to?(:state) ? ::Coverage.state != :idle : ::Coverage.running?
      end

      def load(path)
        return nil unless @roots.any? { |root| path.start_with?(root) } && !coverage?

        name = path.b.gsub(%r{[%/]}n, "%" => "%25", "/" => "%2F")
        return nil if name.bytesize > 240

        entry = File.join(@dir, name)
        st = File.stat(path)
        stamp = "#{head}#{st.dev} #{st.ino} #{st.size} #{st.mtime.to_i}.#{st.mtime.nsec} #{st.ctime.to_i}.#{st.ctime.nsec}"
        fetch(entry, stamp) || store(entry, stamp, path)
      end

      # An entry: the stamp, a space, the binary's CRC-32 and a newline,
      # then the binary.
      def fetch(entry, stamp)
        data = File.binread(entry)
        return nil unless data.start_with?(stamp) && data.getbyte(stamp.bytesize) == 32

        eol = data.index("\n", stamp.bytesize) or return nil
        binary = data.byteslice(eol + 1..)
        require "zlib"
        return nil unless data.byteslice(stamp.bytesize + 1...eol) == Zlib.crc32(binary).to_s

        RubyVM::InstructionSequence.load_from_binary(binary)
      rescue SystemCallError, StandardError # missing, or not a binary of this Ruby: compiled again
        nil
      end

      # A new file of our own, renamed over the entry: processes of other
      # nodes under a shared home never write into one file.
      def store(entry, stamp, path)
        iseq = RubyVM::InstructionSequence.compile_file(path)
        tmp = "#{entry}.#{Process.pid}.#{Random.new_seed.to_s(36)[0, 8]}.tmp"
        made = false
        begin
          binary = iseq.to_binary
          require "zlib"
          File.open(tmp, File::WRONLY | File::CREAT | File::EXCL, 0o600) do |f|
            made = true
            f.write(stamp, " ", Zlib.crc32(binary).to_s, "\n", binary)
          end
          File.rename(tmp, entry)
        rescue SystemCallError, StandardError # full, or read-only: used, not kept
          File.unlink(tmp) if made rescue nil # rubocop:disable Style/RescueModifier
        end
        iseq
      rescue SyntaxError, StandardError # Ruby says so when it compiles it itself
        nil
      end
    end

    # Once a day a process that used the cache, as it exits, removes the
    # entries whose file is gone (a gem upgraded or uninstalled), what a
    # killed process left half written, and the directories of Rubies no
    # process has used for 30 days. Stale entries of files still there are
    # replaced when loaded, so the cache holds about what is installed.
    SWEPT = ".swept"
    SWEEP_EVERY = 86_400
    UNUSED_FOR = 30 * 86_400
    TMP_AGE = 3600

    class << self
      def sweep_at_exit
        at_exit { sweep } if @dir
      end

      def sweep(now = Time.now)
        stamp = File.join(@dir, SWEPT)
        begin
          return if now - File.mtime(stamp) < SWEEP_EVERY
        rescue Errno::ENOENT
          File.open(stamp, File::WRONLY | File::CREAT, 0o600) {} # the day starts
          return
        end
        File.open(stamp, File::RDONLY) do |lock|
          return unless lock.flock(File::LOCK_EX | File::LOCK_NB)
          return if now - File.mtime(stamp) < SWEEP_EVERY # another process swept

          Dir.each_child(@dir) { |name| sweep_entry(name, now) }
          sweep_rubies(now)
          File.utime(now, now, stamp)
        end
      rescue SystemCallError, IOError
        nil
      end

      def sweep_entry(name, now)
        path = File.join(@dir, name)
        if name.end_with?(".tmp")
          File.unlink(path) if now - File.lstat(path).mtime > TMP_AGE
        elsif !name.start_with?(".")
          source = name.b.gsub(/%2F|%25/n, "%2F" => "/", "%25" => "%")
          File.unlink(path) unless File.exist?(source)
        end
      rescue SystemCallError
        nil
      end

      def sweep_rubies(now)
        parent = File.dirname(@dir)
        Dir.each_child(parent) do |name|
          dir = File.join(parent, name)
          next if dir == @dir || !File.lstat(dir).directory?

          used = begin
            File.lstat(File.join(dir, SWEPT)).mtime
          rescue Errno::ENOENT
            File.lstat(dir).mtime
          end
          next if now - used < UNUSED_FOR

          Dir.each_child(dir) { |entry| File.unlink(File.join(dir, entry)) }
          Dir.rmdir(dir)
        rescue SystemCallError
          next
        end
      end
    end

    module Hook
      def load_iseq(path)
        begin
          iseq = CompileCache.load(path)
        rescue StandardError
          iseq = nil
        end
        iseq || (defined?(super) ? super : nil)
      end
    end
  end

  # The node's preloaded template (PRELOADING in distributest-adapter(7)).
  # dt-spawn starts the adapter once per node with DT_PRELOAD_FD, a
  # socket on which it hands over one connection per runner. Having loaded
  # Ruby, the bundle, the framework and this file, the template forks a
  # child for each runner's request, and the child becomes that runner's
  # adapter: its descriptors, directory, environment, arguments, process
  # group and priority. A runner whose request fails boots on its own.
  module Template
    FD = "DT_PRELOAD_FD"
    PR_SET_PDEATHSIG = 1
    REQUEST_MAX = 1 << 20

    class << self
      attr_reader :fd
    end
    @fd = ENV.delete(FD)
    @nice = ENV.delete("DT_PRELOAD_NICE").to_i
    @held = ENV.delete("DT_PRELOAD_HOLD")
    @warm = []

    module_function

    # Started while node_setup may still run (DT_PRELOAD_HOLD): Ruby and
    # what is not the project's are loaded; the rest waits for "go NICE",
    # dt-spawn's start, on the socket.
    def hold
      return unless @held

      @held = nil
      begin
        require "socket"
        require "fiddle"
      rescue LoadError
        nil # prepare declines
      end
      go = IO.for_fd(Integer(@fd), autoclose: false).sysread(64)
      exit!(0) unless go.start_with?("go ")
      @nice = go.split[1].to_i
    rescue EOFError, SystemCallError
      exit!(0) # dt-spawn is gone, or started no runner from us
    rescue StandardError => e
      warn "#{Distributest.prog}: preloaded template: #{e.class}: #{e.message}"
      exit!(1)
    end

    # What a template started again needs in its environment.
    def env
      { FD => @fd }.merge(@nice.positive? ? { "DT_PRELOAD_NICE" => @nice.to_s } : {})
    end

    # Before Bundler, with ENV its environment then: what its setup adds to
    # the environment and the load path names the copy, the template's
    # directory, which relocate maps to each runner's tree.
    def check(framework, env)
      @framework = framework
      @root = Dir.pwd
      @before = env
    end

    def prepare
      require "socket"
      require "fiddle"
      @prctl = Fiddle::Function.new(Fiddle::Handle::DEFAULT["prctl"], [Fiddle::TYPE_INT] + [Fiddle::TYPE_LONG] * 4,
                                    Fiddle::TYPE_INT)
      @bundle_env = ENV.to_h.reject { |name, value| @before[name] == value }
      (@before.keys - ENV.keys).each { |name| @bundle_env[name] = nil }
    rescue LoadError, Fiddle::DLError => e
      decline("#{@framework}: #{e.message}")
    end

    # The runners then boot on their own: their requests find the socket
    # closed.
    def decline(why)
      warn "#{Distributest.prog}: not preloaded, each runner boots on its own: #{why}"
      exit!(0)
    end

    # Serves until dt-spawn closes the socket, and returns only in a child,
    # as the adapter of the runner that asked, with ARGV its arguments.
    def serve(argv)
      prepare
      ctl = UNIXSocket.for_fd(Integer(@fd))
      wake, woken = IO.pipe
      trap("CHLD") { woken.write_nonblock(".", exception: false) }
      waiting = [] # connections whose runner has not asked yet
      children = {}
      loop do
        warm_one while @warm.any? && children.any?
        ready, = IO.select([ctl, wake, *waiting])
        reap(wake, children) if ready.delete(wake)
        if ready.delete(ctl)
          conn = receive(ctl) or exit!(0) # dt-spawn is gone
          waiting << conn
        end
        ready.each do |conn|
          waiting.delete(conn)
          request = read_request(conn)
          next conn.close unless request

          pid = begin
            fork
          rescue SystemCallError # the runner boots on its own
            request[:fds].each(&:close)
            next conn.close
          end
          if pid.nil?
            trap("CHLD", "DEFAULT")
            [ctl, wake, woken, *waiting, *children.values].each(&:close)
            return become(request, conn, argv)
          end
          request[:fds].each(&:close)
          children[pid] = conn
          lower
          reply(conn, "pid #{pid}")
        end
      end
    rescue StandardError, ScriptError => e
      warn "#{Distributest.prog}: preloaded template: #{e.class}: #{e.message}", *e.backtrace
      exit!(1)
    end

    # LIBRARIES that each runner would load for its first file, loaded here
    # once the first runner, which takes the longest file, has its child:
    # the runners forked after it do not load them each beside that file.
    # Loaded before it, they would delay it (measured: bench/boot.sh).
    def warm(*libraries)
      @warm = libraries
    end

    def warm_one
      require @warm.shift
    rescue StandardError, ScriptError
      nil # each runner says so, if its tests need it
    end

    # Once the first runner, which takes the longest file, has its child,
    # the template loads and forks for the others at their boot priority
    # (DT_PRELOAD_NICE, dt-spawn's DT_BOOT_NICE), not beside that child.
    def lower
      return unless @nice.positive?

      Process.setpriority(Process::PRIO_PROCESS, 0, Process.getpriority(Process::PRIO_PROCESS, 0) + @nice)
      @nice = 0
    rescue SystemCallError
      @nice = 0
    end

    def receive(ctl)
      _, _, _, *controls = ctl.recvmsg(1, 0, nil, scm_rights: true)
      conn = controls.flat_map { |c| c.unix_rights || [] }.first
      conn && UNIXSocket.for_fd(conn.fileno).tap { conn.autoclose = false }
    rescue SystemCallError, IOError
      nil
    end

    # One message: the runner's descriptors 0 to 3, then fields ending in
    # NUL, each a letter and a value: d its directory, g its process group,
    # n its nice, a an argument, e an environment entry.
    def read_request(conn)
      data, _, flags, *controls = conn.recvmsg(REQUEST_MAX, 0, nil, scm_rights: true)
      fds = controls.flat_map { |c| c.unix_rights || [] }
      return fds.each(&:close) && nil unless fds.size == 4 && data.end_with?("\0") && (flags & Socket::MSG_TRUNC).zero?

      request = { fds: fds, args: [], env: {} }
      data.b.split("\0").each do |field|
        value = field.byteslice(1..).force_encoding(Encoding.default_external)
        case field[0]
        when "d" then request[:dir] = value
        when "g" then request[:pgid] = Integer(value, 10)
        when "n" then request[:nice] = Integer(value, 10)
        when "a" then request[:args] << value
        when "e" then request[:env].store(*value.split("=", 2)) if value.include?("=")
        end
      end
      return request if request[:dir] && request[:pgid]

      fds.each(&:close)
      nil
    rescue SystemCallError, IOError, ArgumentError
      fds&.each(&:close)
      nil
    end

    def reap(wake, children)
      wake.read_nonblock(4096, exception: false)
      while (pid, status = Process.wait2(-1, Process::WNOHANG))
        conn = children.delete(pid) or next
        reply(conn, status.signaled? ? "signal #{status.termsig}" : "exit #{status.exitstatus}")
        conn.close
      end
    rescue Errno::ECHILD
      nil
    end

    def reply(conn, line)
      conn.sendmsg("#{line}\n")
    rescue SystemCallError, IOError
      nil
    end

    # A nice the template may not reach (below its own, unprivileged)
    # leaves the runner at the template's: dt-spawn ignores the same failure.
    def renice(nice)
      Process.setpriority(Process::PRIO_PROCESS, 0, nice) if nice
    rescue SystemCallError
      nil
    end

    # The bundle was set up in the copy, and the runner works in DIR, its
    # tree of the same files (or the copy itself): paths under the copy in
    # the load path, the loaded features and what Bundler put in the
    # environment are made DIR's, as Bundler.setup there would have made
    # them, so a file is neither loaded twice nor written in the copy.
    # Bytes, not characters: a path need not be valid in any encoding.
    def relocate(dir, env)
      root = @root.b
      dir = dir.b
      within = ->(path) { path.b == root || path.b.start_with?("#{root}/".b) }
      rebase = ->(path) { within.(path) ? (dir + path.b.byteslice(root.bytesize..)).force_encoding(path.encoding) : path }
      # a list (PATH, RUBYLIB) or options (RUBYOPT's -r and -I)
      inside = Regexp.new("(?<=\\A|[:\\s]|-r|-I)#{Regexp.escape(root)}(?=/|:|\\s|\\z)".b, Regexp::NOENCODING)
      @bundle_env.each do |name, value|
        value ? ENV[name] = value.b.gsub(inside) { dir }.force_encoding(value.encoding) : ENV.delete(name)
      end
      # with_unbundled_env gives back what Bundler saw when it loaded: the
      # runner's environment, not the template's
      ::Bundler::ORIGINAL_ENV.replace(env) if defined?(::Bundler::ORIGINAL_ENV)
      return if dir == root

      $LOAD_PATH.map! { |entry| entry.is_a?(String) ? rebase.(entry) : entry } if $LOAD_PATH.any? { |e| e.is_a?(String) && within.(e) }
      $LOADED_FEATURES.map!(&rebase) if $LOADED_FEATURES.any?(&within)
      # Bundler.root, from BUNDLE_GEMFILE on its next call
      ::Bundler.instance_variable_set(:@root, nil) if defined?(::Bundler) && ::Bundler.instance_variable_defined?(:@root)
    end

    # In the child: the runner's process, as far as anyone can tell.
    def become(request, conn, argv)
      template = Process.ppid
      conn.close
      @prctl.call(PR_SET_PDEATHSIG, Signal.list["KILL"], 0, 0, 0)
      exit!(EX_SYS) if Process.ppid != template
      @fd = nil
      Process.setpgid(0, request[:pgid])
      renice(request[:nice])
      input, output, errors, results = request[:fds]
      $stdin.reopen(input)
      $stdout.reopen(output)
      $stderr.reopen(errors)
      IO.for_fd(3, autoclose: false).reopen(results)
      request[:fds].each(&:close)
      Dir.chdir(request[:dir])
      ENV.replace(request[:env])
      argv.replace(request[:args])
      Distributest.preloaded
      relocate(request[:dir], request[:env])
    rescue SystemCallError, IOError => e
      warn "#{Distributest.prog}: preloaded runner: #{e.message}"
      exit!(EX_SYS)
    end
  end

  # SimpleCov, started by the project's helper, writes its result at the
  # end of the runner's session (at_exit, or Minitest.after_run) in the
  # runner's tree, with the coverage of every file the runner ran. What
  # comes home, for merge-ruby to merge: COVERAGE_DIR/.resultset.json, the
  # runner's result under its command name tagged with the runner
  # ("RSpec (distributest local/2)"), and COVERAGE_DIR/.distributest.json,
  # what merge-ruby cannot read from the project (the helper's start block
  # sets it): command name, formatters, criteria, limits.
  module SimpleCovHome
    SIDE = ".distributest.json"

    module_function

    # SimpleCov measures this process: started here, not in a forked child.
    def running?
      defined?(::SimpleCov) && ::SimpleCov.respond_to?(:running) && ::SimpleCov.running &&
        ::SimpleCov.pid == Process.pid
    end

    # The coverage directory relative to the working directory, or nil
    # when it is outside: an artifact is a path in the runner's tree.
    def relative_dir
      Distributest.in_cwd(File.expand_path(::SimpleCov.coverage_dir, ::SimpleCov.root))
    end

    def announce(results, dir = nil)
      return unless running? && (dir ||= relative_dir)

      results.line("artifact", "#{dir}/.resultset.json")
      results.line("artifact", "#{dir}/#{SIDE}")
    rescue StandardError => e
      warn "#{Distributest.prog}: SimpleCov: #{e.class}: #{e.message}"
    end

    # Before SimpleCov's result: a partial result (some files of the run)
    # is stored but neither formatted nor checked against the limits, as
    # SimpleCov does in a subprocess; merge-ruby does both at home.
    def session_end(results)
      return unless running?

      require "fileutils" # loaded by SimpleCov already, as is json
      require "json"
      sc = ::SimpleCov
      unless (dir = relative_dir)
        warn "#{Distributest.prog}: SimpleCov: coverage_dir #{sc.coverage_dir}: outside the runner's directory, " \
             "so its result is not brought home"
        return
      end
      # The name SimpleCov guesses from the command line: the framework's
      # own (`ruby -Itest FILE...` gives "Unit Tests"), not the adapter's.
      unless sc.instance_variable_get(:@name)
        command = Distributest.prog == "adapter-rspec" ? ["rspec"] : ["ruby", "-Itest", *Distributest.ran]
        ::SimpleCov::CommandGuesser.original_run_command = command.join(" ")
      end
      side = describe(sc, dir)
      missed = unmeasured
      side["unmeasured"] = missed unless missed.empty?
      sc.command_name(side["tag"])
      sc.use_merging(true)
      sc.formatter(::SimpleCov::Formatter::SimpleFormatter)
      sc.singleton_class.prepend(NoLimits)
      own_files(File.join(Dir.pwd, dir)) unless ENV["DT_RUNNER_DIR"] == "shared"
      FileUtils.mkdir_p(dir)
      File.write(File.join(dir, SIDE), "#{JSON.pretty_generate(side)}\n")
      announce(results, dir)
    rescue StandardError => e
      warn "#{Distributest.prog}: SimpleCov: #{e.class}: #{e.message}"
    end

    # Until SimpleCov runs: where the loaded features stood as each file
    # started, so that a project file loaded before Ruby's Coverage was can
    # be traced to the test file that loaded it.
    def file_starts(path)
      return if @measuring ||= running?

      (@before ||= []) << [path, $LOADED_FEATURES.size]
    end

    # The project's files (those SimpleCov does not filter) that a test
    # file loaded before SimpleCov started: Coverage never saw them, so
    # this runner's counts for them are lost and the merged total depends
    # on which runner ran that file. [{"file", "loaded" => [PATH...]}].
    def unmeasured
      return [] unless @before && ::Coverage.running?

      measured = ::Coverage.peek_result.merge(@kept.to_h)
      root = "#{::SimpleCov.root}/"
      found = Hash.new { |h, k| h[k] = [] }
      $LOADED_FEATURES.each_with_index do |path, i|
        next unless path.end_with?(".rb") && path.start_with?(root) && !measured.key?(path)
        next if measured.key?(File.realpath(path)) || filtered?(path)

        file, = @before.reverse_each.find { |_, at| at <= i }
        found[file] << path.delete_prefix(root) if file
      end
      found.map { |file, loaded| { "file" => file, "loaded" => loaded } }
    rescue StandardError => e
      warn "#{Distributest.prog}: SimpleCov: #{e.class}: #{e.message}"
      []
    end

    def filtered?(path)
      file = ::SimpleCov::SourceFile.new(path, { "lines" => [] })
      ::SimpleCov.filters.any? { |filter| filter.matches?(file) }
    rescue StandardError
      false
    end

    # Loading a file again (another part of a split file) starts its
    # counts in Ruby's Coverage afresh, losing what its earlier run
    # covered: before the adapter loads a file it loaded already, the
    # counts so far are kept, and the counters cleared, as for a forked
    # child (below), and added to the result in the same way.
    def before_load(path)
      return unless running? && ::Coverage.running?

      @loaded ||= {}
      if @loaded[path]
        keep_result
        @kept = add(@kept, under_root(::Coverage.result(stop: false, clear: true)))
      end
      @loaded[path] = true
    rescue StandardError => e
      warn "#{Distributest.prog}: SimpleCov: #{e.class}: #{e.message}"
    end

    def keep_result
      return if @keeping

      @keeping = true
      ::SimpleCov::ResultAdapter.singleton_class.prepend(KeptCoverage)
    end

    def under_root(coverage)
      prefix = "#{::SimpleCov.root}/"
      coverage.select { |file, _| file.start_with?(prefix) }
    end

    # DT_ISOLATE=fork: a file runs in a child that ends with exit!, so
    # SimpleCov's result, the parent's, would miss it. A child starts with
    # the counters of Ruby's Coverage cleared and leaves what its file added
    # (under SimpleCov's root) in a file; the parent adds these up, and
    # adds the sum to its own Coverage.result when SimpleCov asks for it.
    def before_fork
      return if @fork_dir || !running?

      require "tmpdir"
      @fork_dir = Dir.mktmpdir("dt-simplecov")
      keep_result
    rescue StandardError => e
      warn "#{Distributest.prog}: SimpleCov: #{e.class}: #{e.message}"
    end

    def child_start
      ::Coverage.result(stop: false, clear: true) if @fork_dir && ::Coverage.running?
    end

    def child_end
      return unless @fork_dir && ::Coverage.running?

      added = under_root(::Coverage.peek_result)
      File.binwrite(File.join(@fork_dir, "#{Process.pid}.tmp"), Marshal.dump(added))
      File.rename(File.join(@fork_dir, "#{Process.pid}.tmp"), File.join(@fork_dir, Process.pid.to_s))
    rescue StandardError => e
      warn "#{Distributest.prog}: SimpleCov: #{e.class}: #{e.message}"
    end

    def child_done(pid)
      file = @fork_dir && File.join(@fork_dir, pid.to_s)
      return unless file && File.exist?(file)

      @kept = add(@kept, Marshal.load(File.binread(file))) # rubocop:disable Security/MarshalLoad
      File.unlink(file)
    rescue StandardError => e
      warn "#{Distributest.prog}: SimpleCov: #{e.class}: #{e.message}"
    end

    def kept
      @kept
    end

    # Coverage results added up: line counts, branch counts, and nil
    # for a line that is not code.
    def add(one, other)
      return other if one.nil?
      return one if other.nil?

      case one
      when Array then one.each_with_index.map { |n, i| n.nil? && other[i].nil? ? nil : n.to_i + other[i].to_i }
      when Hash then one.merge(other) { |_, a, b| add(a, b) }
      when Integer then one + other.to_i
      else one
      end
    end

    module KeptCoverage
      def call(*args)
        kept = SimpleCovHome.kept
        kept && ::SimpleCov.pid == Process.pid ? super(SimpleCovHome.add(args.first.to_h, kept)) : super
      end
    end

    module NoLimits
      def result_exit_status(_result)
        ::SimpleCov::ExitCodes::SUCCESS
      end
    end

    def describe(sc, dir)
      base = sc.command_name
      formatter = sc.formatter
      formatters = if formatter.include?(::SimpleCov::Formatter::MultiFormatter::InstanceMethods)
                     formatter.new.formatters
                   else
                     [formatter]
                   end
      {
        "command_name" => base,
        "tag" => "#{base} (distributest #{ENV.fetch('DT_NODE', 'local')}/#{ENV.fetch('DT_RUNNER', '1')})",
        "cwd" => Dir.pwd, "root" => sc.root, "coverage_dir" => dir,
        "criteria" => sc.coverage_criteria.map(&:to_s), "primary_coverage" => sc.primary_coverage.to_s,
        "formatters" => formatters.map { |f| { "class" => f.name, "file" => source_of(f) } },
        "minimum_coverage" => sc.minimum_coverage, "minimum_coverage_by_file" => sc.minimum_coverage_by_file,
        "maximum_coverage_drop" => sc.maximum_coverage_drop, "print_error_status" => sc.print_error_status,
        "nocov_token" => sc.nocov_token, "project_name" => sc.project_name,
        "groups" => sc.groups.filter_map { |name, filter| group(name, filter) }.to_h
      }
    end

    def source_of(klass)
      klass.name && Object.const_source_location(klass.name)&.first
    rescue StandardError, NameError
      nil
    end

    # A group whose filter is a string or a regexp; a block cannot travel.
    def group(name, filter)
      argument = filter.filter_argument if filter.respond_to?(:filter_argument)
      case argument
      when String then [name, { "string" => argument }]
      when Regexp then [name, { "regexp" => argument.source, "options" => argument.options }]
      end
    end

    # The runner's tree shares its files with the node's copy and the
    # other runners (hard links), and SimpleCov writes in place: the
    # copy's old result goes, other files become the tree's own.
    def own_files(path)
      return unless File.directory?(path)

      Dir.glob("**/*", File::FNM_DOTMATCH, base: path).each do |name|
        file = File.join(path, name)
        st = File.lstat(file)
        next unless st.file? && st.nlink > 1

        if %w[.resultset.json .resultset.json.lock].include?(name)
          File.unlink(file)
        else
          FileUtils.cp(file, "#{file}.dt-own")
          File.rename("#{file}.dt-own", file)
        end
      end
    end
  end

  # RSpec's example status file (config.example_status_persistence_file_path),
  # which one `rspec` run reads at its start and, at its end, merges the
  # statuses of the examples it loaded into. A runner reads its tree's copy
  # of the project's file but does not write it (the copy is lost, and
  # shared with the other runners through hard links); at the end of its
  # session it writes the statuses of the examples it loaded, in RSpec's
  # terms (nil: loaded but not run), with the configured path relative to
  # its directory, to a file of its own that comes home for merge-ruby,
  # which merges them all into the project's file with RSpec's own code.
  module ExampleStatusesHome
    GLOB = ".distributest/rspec-examples.*.json"

    module_function

    # The runner's number in the name: with runner_dir = shared, runners
    # share one directory.
    def file_name
      ".distributest/rspec-examples.#{ENV.fetch('DT_RUNNER', '1').tr('/', '_')}.json"
    end

    # STATUSES: {example id => [status or nil, run time or nil]}.
    def write(statuses, path, results)
      unless (relative = Distributest.in_cwd(path))
        warn "#{Distributest.prog}: example_status_persistence_file_path #{path}: outside the runner's " \
             "directory, so its statuses are not brought home"
        return
      end
      require "json"
      name = file_name
      Dir.mkdir(File.dirname(name)) unless File.directory?(File.dirname(name))
      data = { "path" => relative, "examples" => statuses.map { |id, (status, time)| [id, status, time] } }
      File.write("#{name}.tmp", "#{JSON.generate(data)}\n")
      File.rename("#{name}.tmp", name)
      results.line("artifact", name)
    rescue StandardError => e
      warn "#{Distributest.prog}: example statuses: #{e.class}: #{e.message}"
    end
  end

  # Field escaping of "Lines and fields". Everything is handled as bytes.
  # No line may hold a NUL byte: one in a field (crass names tests after
  # its CSS fixtures, NULs included) is sent as U+2400, and an ID asked
  # for is compared so (Wire.shown).
  module Wire
    NUL_SHOWN = "\u2400".b.freeze
    ESCAPES = { "\\" => "\\\\", "\t" => "\\t", "\n" => "\\n", "\0" => NUL_SHOWN }.freeze
    UNESCAPES = { "\\" => "\\", "t" => "\t", "n" => "\n" }.freeze

    module_function

    def escape(value, max = FIELD_MAX)
      truncate(value.to_s.b.gsub(/[\\\t\n\0]/n, ESCAPES), max)
    end

    # VALUE's bytes as a field shows them, unescaped.
    def shown(value)
      value.to_s.b.gsub("\0", NUL_SHOWN)
    end

    # Cuts an escaped field to MAX bytes, not inside a UTF-8 character nor
    # inside an escape pair, and marks the cut.
    def truncate(escaped, max = FIELD_MAX)
      return escaped if escaped.bytesize <= max

      cut = max - Distributest.truncated.bytesize
      # A continuation byte first after the cut: move the cut to its lead byte.
      3.times { cut -= 1 if (escaped.getbyte(cut) & 0xC0) == 0x80 }
      cut -= 1 if escaped.byteslice(0, cut)[/\\*\z/].bytesize.odd?
      escaped.byteslice(0, cut) + Distributest.truncated
    end

    # A field that is never cut, since a cut command would be wrong: empty
    # when it does not fit.
    def whole(value)
      value = value.to_s.b
      value.gsub(/[\\\t\n]/, ESCAPES).bytesize <= FIELD_MAX ? value : "".b
    end

    def unescape(field)
      return field unless field.include?("\\")

      field.gsub(/\\(.?)/m) do
        UNESCAPES.fetch(Regexp.last_match(1)) do
          raise BadLine, "bad escape #{Regexp.last_match(0).inspect}"
        end
      end
    end
  end

  # The fd 3 pipe (or, in a forked child, the pipe to the parent). A write
  # error (dt-spawn gone) is remembered rather than raised, since it would
  # otherwise surface inside a test run.
  class Results
    def initialize(io)
      @io = io
      @broken = false
    end

    def broken?
      @broken
    end

    def line(verb, *fields)
      raw(([verb.b] + fields.map { |f| Wire.escape(f) }).join("\t".b) << "\n".b)
    end

    def raw(line)
      return if @broken

      @io.write(line)
    rescue IOError, SystemCallError
      @broken = true
    end

    # ID, the unit's, is left out for a failure outside units.
    def fail_line(kind, description, location, message, rerun = "", id = nil)
      fields = [kind, description, location, Wire.whole(rerun), *id].map { |f| Wire.escape(f) }
      # Six whole fields would pass LINE_MAX: MESSAGE gets what is left.
      room = LINE_MAX - "fail".bytesize - fields.sum(&:bytesize) - fields.size - 1
      fields.insert(3, Wire.escape(message, [room, FIELD_MAX].min))
      raw((["fail".b] + fields).join("\t".b) << "\n".b)
    end

    def pending_line(description, location, message, id = nil)
      line("pending", description, location, message, *id)
    end

    # With STATUS (passed, failed, error or skipped), the unit's result for
    # reports, with DESCRIPTION and LOCATION as in its fail and pending lines.
    def unit_line(id, seconds, status = nil, description = "", location = "")
      fields = [id, format("%.6f", seconds.to_f)]
      fields.push(status, description, location.to_s) if status
      line("unit", *fields)
    end

    # The end of a file. What the tests wrote before it belongs to the file,
    # so it goes first. ERROR makes STATUS `error` even without errors.
    # COUNTS, the framework's own words and numbers ({"runs" => 3, ...}), go
    # as `count` lines before it.
    def done_line(examples, failures, pending, errors, error: false, counts: {})
      status = if errors.positive? || error then "error"
               elsif failures.positive? then "failed"
               else "passed"
               end
      [$stdout, $stderr, STDOUT, STDERR].uniq.each { |io| io.flush rescue nil } # rubocop:disable Style/RescueModifier
      counts.each { |word, n| line("count", word.to_s, n.to_i.to_s) }
      line("done", status, examples.to_s, failures.to_s, pending.to_s, errors.to_s)
    end
  end

  # `only`/`except` of a request: the units of the file to run. An adapter
  # whose units are not named by their ID alone redefines listed?.
  class Selection
    def initialize(mode, ids)
      @only = mode == "only"
      @ids = ids.to_h { |id| [id.b, true] }
    end

    def keep?(unit)
      listed?(unit) == @only
    end

    def listed?(id)
      @ids.key?(Wire.shown(id))
    end
  end

  # DT_ISOLATE=fork: each file runs in a child of the booted worker, which
  # sends its result lines through a pipe; the parent passes them on, and
  # reports the child's death when no `done` came. The worker answers
  # run_file(PATH, MODE, IDS, RESULTS) and rerun_file(PATH).
  class Forker
    def initialize(worker, results, requests, results_io)
      @worker = worker
      @results = results
      @requests = requests
      @results_io = results_io
    end

    def run_file(path, mode = nil, ids = [])
      @worker.before_fork if @worker.respond_to?(:before_fork)
      reader, writer = IO.pipe
      reader.binmode
      writer.binmode
      SimpleCovHome.before_fork
      pid = fork do
        SimpleCovHome.child_start
        reader.close
        @requests.close
        @results_io.close # tests must not hold the results pipe
        writer.sync = true
        @worker.run_file(path, mode, ids, Results.new(writer))
        SimpleCovHome.child_end
        exit!(0) # at_exit handlers belong to the parent
      rescue Exception => e # rubocop:disable Lint/RescueException
        warn "#{Distributest.prog}: #{e.class}: #{e.message}"
        SimpleCovHome.child_end
        exit!(1)
      end
      writer.close
      relay(reader, pid, path)
      SimpleCovHome.child_done(pid)
    ensure
      reader&.close unless reader&.closed?
      writer&.close unless writer&.closed?
    end

    private

    def relay(reader, pid, path)
      counts = { "failure" => 0, "error" => 0, "pending" => 0 }
      buffer = +"".b
      done = false
      status = nil
      drained = 0
      loop do
        readable = IO.select([reader], nil, nil, status ? 0 : 0.2)
        chunk = readable ? reader.read_nonblock(1 << 16, exception: false) : :wait_readable
        break if chunk.nil? # EOF: the child, and all it started, are gone

        if chunk.is_a?(String)
          buffer << chunk
          done = pass_on(buffer, counts, done)
        end
        # Once the child is dead, only what it left in the pipe: a process
        # it started may hold the pipe open, and we do not wait for it.
        break if status && (!chunk.is_a?(String) || (drained += 1) > 16)

        _, status = Process.waitpid2(pid, Process::WNOHANG) unless status
      end
      _, status = Process.waitpid2(pid) unless status
      report_death(path, status, counts) unless done
    end

    # Passes the complete lines on, counting them for report_death; the
    # child writes nothing after `done`.
    def pass_on(buffer, counts, done)
      while (nl = buffer.index("\n".b))
        line = buffer.slice!(0, nl + 1)
        next if done

        verb, kind = line.split("\t".b, 3)
        done = verb == "done".b
        key = verb == "fail".b ? kind : verb
        counts[key] += 1 if counts.key?(key)
        @results.raw(line)
      end
      done
    end

    def report_death(path, status, counts)
      how = if status.signaled?
              name = Signal.signame(status.termsig)
              "killed by signal #{status.termsig}#{name ? " (SIG#{name})" : ''}"
            else
              "exited #{status.exitstatus}"
            end
      @results.fail_line("error", "the process running #{path} #{how}", path,
                         "The forked worker died before finishing #{path} (exit! or a crash?).",
                         @worker.rerun_file(path))
      @results.done_line(counts.values.sum, counts["failure"], counts["pending"], counts["error"] + 1)
    end
  end

  # What minitest and test-unit share: a test file is loaded by its absolute
  # path, and the test classes it defined, and only those, are run, as `ruby
  # -Itest FILE` runs them. An adapter's Worker and FileRun subclass these.
  module XUnit
    # `ruby -Itest -Ilib PATH ARGS`: the file, or with ARGS some of it.
    def self.rerun(path, *args)
      Distributest.rerun("ruby", "-Itest", "-Ilib", path, *args)
    end

    # The results of one test file: `fail`/`pending` as they happen, `done`
    # at the end. A subclass defines finish, error_location(exception),
    # filter_backtrace(frames), name_args(klass, target) (the arguments that
    # run the test TARGET of KLASS), and running_test, [DESCRIPTION, RERUN,
    # ID] of the test that started and has not ended.
    class FileRun
      # The classes the file defined, which it runs.
      attr_writer :classes

      def initialize(path, results, root)
        @path = path.b # as bytes: names in other encodings mix with it
        @results = results
        @root = root
        @abs = File.expand_path(path).b
        @errors = 0 # errors the framework did not count: load, exit, internal
        @classes = []
      end

      # The file raised (SyntaxError, LoadError, NameError...) while loading:
      # none of its tests run, as with `ruby FILE`, where autorun gives up.
      def load_error(exception)
        @errors += 1
        fail_line("error", "error while loading ".b + @path, error_location(exception),
                  describe_exception(exception), XUnit.rerun(@path))
      end

      # `exit` (SystemExit) escaped the framework, which lets it through: the
      # rest of the file does not run, as the process would have ended.
      def system_exit(exception, loading)
        @errors += 1
        test = running_test unless loading
        where = if loading then "while loading ".b + @path
                elsif test then "in ".b + test[0].b + ": the rest of ".b + @path + " did not run".b
                else "while running ".b + @path
                end
        fail_line("error", "exit (status #{exception.status}) called ".b + where,
                  error_location(exception), describe_exception(exception), test ? test[1] : XUnit.rerun(@path),
                  test&.[](2))
      end

      def unrunnable(why)
        @errors += 1
        fail_line("error", "#{why}: ".b + @path, @path, why, "")
      end

      def internal_error(exception)
        @errors += 1
        fail_line("error", "#{Distributest.prog}: internal error while running ".b + @path, @path,
                  describe_exception(exception), XUnit.rerun(@path))
      end

      private

      def fail_line(kind, description, location, message, rerun, id = nil)
        @results.fail_line(kind, description, location, message, rerun, id)
      end

      # FILE:LINE of the method that defines the test, or nil.
      def method_location(file, line)
        relative("#{file}:#{line}".b) if file && line.to_i.positive?
      end

      # The test alone; with its class when another class of the file (a
      # subclass, say) has a test of that name, which the name would run too.
      def rerun_test(klass, name)
        method = test_method(name)
        others = @classes.count { |c| c.public_method_defined?(method) rescue false } # rubocop:disable Style/RescueModifier
        target = others > 1 ? klass.to_s.b + "#".b + name.to_s.b : name.to_s.b
        XUnit.rerun(@path, *name_args(klass, target))
      rescue StandardError
        XUnit.rerun(@path)
      end

      # The method that defines the test NAME.
      def test_method(name)
        name
      end

      # CLASS: message, the filtered backtrace and the causes.
      def describe_exception(exception, frames = exception.backtrace)
        Distributest.describe_exception(exception, "    ") do
          message = exception.message.to_s.b
          # A SyntaxError's message starts with the file's absolute path.
          message = message.lines.map { |l| relative(l) }.join if exception.is_a?(SyntaxError)
          ["#{exception.class}: ".b + message] + backtrace(frames).map { |l| "    ".b + l }
        end
      end

      # The framework's filter (the project may have set its own), without
      # our frames, with paths relative to the project.
      def backtrace(frames)
        return [] unless frames

        # As bytes: a regexp raises on a frame that is not valid UTF-8.
        kept = filter_backtrace(frames.map { |f| f.to_s.b }).map { |f| f.to_s.b }
        kept.reject { |f| f.match?(Distributest.own_frame) }.map { |f| relative(f) }
      rescue StandardError
        frames.map { |f| relative(f.to_s.b) }
      end

      def relative(frame)
        return @path + frame.delete_prefix(@abs) if frame.start_with?(@abs + ":".b)

        root = @root.find { |r| frame.start_with?(r) }
        root ? frame.delete_prefix(root) : frame
      end
    end

    # Which tests of a file's classes run: those the file defined, and of
    # them those the selection keeps.
    class Narrow
      def initialize(owned, selection)
        @owned = owned # class => {name => true}, by identity
        @selection = selection
      end

      def keep?(klass, name, unit)
        own = @owned[klass]
        return false if own && !own.key?(name.to_s)

        @selection.nil? || @selection.keep?(unit)
      end
    end

    # Boots once, then runs files. A subclass defines boot, file_run(path,
    # results), runnables (every test class defined so far) and
    # run_classes(classes, path, file_run, narrow), narrow a Narrow.
    class Worker
      def initialize(args, results)
        @args = args
        @results = results
        root = Dir.pwd
        @root = [root, File.realpath(root)].uniq.map { |r| "#{r}/".b }
        @defined = {} # absolute path => the classes it defined
        @others = {} # absolute path => the other framework's classes it defined
      end

      # MODE is nil for the whole file, or "only"/"except" with IDS.
      def run_file(path, mode = nil, ids = [], results = @results)
        path = Distributest.utf8_or_bytes(path)
        run = file_run(path, results)
        if path.empty?
          run.unrunnable("empty path")
        elsif (why = refuse(path))
          run.unrunnable(why)
        else
          classes, owned = load_file(path, run)
          foreign(classes, path, run)
          run.classes = classes if classes
          narrow = Narrow.new(owned, mode && Selection.new(mode, ids)) if classes
          run_file_classes(classes, path, run, narrow) if classes&.any?
        end
        run.finish
      end

      def rerun_file(path)
        XUnit.rerun(path)
      end

      private

      # An `exit`, or an error that escapes the framework, ends the file, not
      # the worker.
      def run_file_classes(classes, path, run, narrow)
        run_classes(classes, path, run, narrow)
      rescue SystemExit => e
        run.system_exit(e, false)
      rescue SignalException, NoMemoryError
        raise
      rescue Exception => e # rubocop:disable Lint/RescueException
        run.internal_error(e)
      end

      # Why the framework cannot run PATH, or nil.
      def refuse(_path)
        nil
      end

      # test and lib first in the load path, as `ruby -Itest -Ilib` does.
      def use_load_path
        %w[test lib].each do |dir|
          dir = File.expand_path(dir)
          $LOAD_PATH.unshift(dir) if File.directory?(dir) && !$LOAD_PATH.include?(dir)
        end
      end

      def load_helper
        helper = File.expand_path("test/test_helper.rb")
        require helper if File.file?(helper)
      rescue SystemExit => e
        Distributest.down("exit (status #{e.status}) while loading test/test_helper.rb")
      rescue ScriptError, StandardError => e
        where = (e.backtrace || []).find { |f| !f.match?(Distributest.own_frame) }
        Distributest.down("boot failed: #{where}: #{e.class}: #{e.message}")
      end

      # Runs the framework's parser in the block, which prints its complaint
      # and exits; the complaint becomes the reason of `down`. The adapter
      # requires stringio, before Bundler as it always did.
      def parse_args(args)
        out = $stdout
        $stdout = StringIO.new
        begin
          yield args
        ensure
          said = $stdout.string
          $stdout = out
          print said
        end
      rescue SystemExit
        Distributest.down("bad args #{@args.join(' ')}: #{said.strip.lines.first&.strip || 'exit'}")
      end

      # [classes, owned]: the classes the file defined or reopened, and
      # for each the names of the tests it owns (a class => {name => true}
      # hash by identity): of a class it defined, every method the class
      # has once the file is loaded; of one it reopened (`class X` of an
      # earlier file's class), those it added, or redefined, to it. nil
      # when it did not load. A file asked for again, such as another
      # part of a split file, is not loaded again, which would define
      # nothing: its classes run again, the tests it owns only, not those
      # a later file added.
      def load_file(path, run)
        abs = File.expand_path(path)
        return @defined[abs] if @defined.key?(abs)

        seen = runnables.to_h { |c| [c, true] }.compare_by_identity
        others = other_runnables.size
        before = {}.compare_by_identity
        reopens = TracePoint.new(:class) do |tp|
          before[tp.self] ||= method_table(tp.self) if seen[tp.self]
        end
        begin
          reopens.enable { load abs unless already_required?(abs) }
        rescue SystemExit => e
          run.system_exit(e, true)
          return nil
        rescue SignalException, NoMemoryError
          raise
        rescue Exception => e # rubocop:disable Lint/RescueException
          run.load_error(e)
          return nil
        ensure
          loaded
        end
        @others[abs] = other_runnables.drop(others).select { |c| tests?(c) }
        @defined[abs] = defined_by(seen, before)
      end

      # [name, classes]: the other xUnit framework, and its test classes
      # defined so far; a subclass names them.
      def other_framework
        [nil, []]
      end

      def other_runnables
        other_framework[1]
      end

      def tests?(klass)
        klass.public_instance_methods(true).any? { |m| m.start_with?("test") }
      end

      # A file of the other framework's tests runs none here: an error
      # that says so, not a pass of 0 tests (a project taken for the
      # wrong one).
      def foreign(classes, path, run)
        other = @others[File.expand_path(path)] if classes&.empty?
        return if other.nil? || other.empty?

        name = other_framework[0]
        run.unrunnable("#{name} tests (#{other.first(2).map(&:to_s).join(', ')}), which " \
                       "#{Distributest.prog} does not run; set framework = #{name}")
      end

      def method_table(klass)
        klass.public_instance_methods(true).to_h { |m| [m, klass.instance_method(m)] }
      end

      def defined_by(seen, before)
        owned = {}.compare_by_identity
        runnables.each do |c|
          owned[c] = c.public_instance_methods(true).to_h { |m| [m.to_s, true] } unless seen[c]
        end
        before.each do |c, table|
          added = c.public_instance_methods(true).reject { |m| table[m] == c.instance_method(m) }
          owned[c] = added.to_h { |m| [m.to_s, true] } unless added.empty?
        end
        [owned.keys, owned]
      end

      # After each load, even a failed one.
      def loaded; end

      def already_required?(abs)
        real = File.realpath(abs) rescue abs # rubocop:disable Style/RescueModifier
        $LOADED_FEATURES.include?(abs) || $LOADED_FEATURES.include?(real)
      end
    end
  end
end
