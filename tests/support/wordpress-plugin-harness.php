<?php
// Runs the WordPress plugin of docs/api.md outside WordPress: the few WordPress functions it
// calls, with wp_remote_post making real HTTP requests and WP-Cron's single events run at
// once (their waits printed instead of slept). Environment: CRIER_PLUGIN (the plugin's
// file), CRIER_URL, CRIER_SECRET. Prints {"attempts", "waits", "pending"} as JSON.
define('CRIER_URL', getenv('CRIER_URL'));
define('CRIER_SECRET', getenv('CRIER_SECRET'));

class WP_Post { public $post_type = 'post'; public $post_status = 'publish'; }
class WP_Error {
    function __construct(private string $message) {}
    function get_error_message(): string { return $this->message; }
}
class WP_REST_Request {
    function __construct(string $method, string $route) {}
    function set_query_params(array $params): void {}
}

$actions = [];
$options = [];
$events = [];
$attempts = 0;

function add_action($hook, $callback, $priority = 10, $args = 1) { global $actions; $actions[$hook] = $callback; }
function wp_is_post_revision($id) { return false; }
function wp_is_post_autosave($id) { return false; }
function rest_do_request($request) { return json_decode(file_get_contents(getenv('CRIER_POST')), true); }
function rest_get_server() {
    return new class { function response_to_data($response, $embed) { return $response; } };
}
function wp_json_encode($value) { return json_encode($value, JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE); }
function wp_generate_uuid4() { return bin2hex(random_bytes(16)); }
function add_option($key, $value, $deprecated, $autoload) { global $options; $options[$key] = $value; }
function get_option($key) { global $options; return $options[$key] ?? false; }
function delete_option($key) { global $options; unset($options[$key]); }
function is_wp_error($thing) { return $thing instanceof WP_Error; }
function wp_rand($min, $max) { return random_int($min, $max); }
function wp_schedule_single_event($at, $hook, $args) { global $events; $events[] = [$at - time(), $hook, $args]; }
function wp_remote_retrieve_response_code($response) { return $response['code']; }
function wp_remote_retrieve_header($response, $name) { return $response['headers'][strtolower($name)] ?? ''; }
function wp_remote_retrieve_body($response) { return $response['body']; }
function wp_remote_post($url, $args) {
    global $attempts;
    $attempts++;
    $headers = '';
    foreach ($args['headers'] as $name => $value) $headers .= "$name: $value\r\n";
    $context = stream_context_create(['http' => [
        'method' => 'POST', 'header' => $headers, 'content' => $args['body'],
        'timeout' => $args['timeout'], 'ignore_errors' => true,
    ]]);
    $body = @file_get_contents($url, false, $context);
    if ($body === false) return new WP_Error(error_get_last()['message'] ?? 'no answer');
    $code = 0;
    $received = [];
    foreach ($http_response_header as $line) {
        if (preg_match('#^HTTP/\S+ (\d+)#', $line, $match)) $code = (int) $match[1];
        elseif (str_contains($line, ':')) {
            [$name, $value] = explode(':', $line, 2);
            $received[strtolower(trim($name))] = trim($value);
        }
    }
    return ['code' => $code, 'headers' => $received, 'body' => $body];
}

require getenv('CRIER_PLUGIN');

$actions['wp_after_insert_post'](41872, new WP_Post(), true, null);
$waits = [];
while ($events) {
    [$wait, $hook, $args] = array_shift($events);
    $waits[] = $wait;
    $actions[$hook](...$args);
}
echo json_encode(['attempts' => $attempts, 'waits' => $waits, 'pending' => count($options)]), "\n";
