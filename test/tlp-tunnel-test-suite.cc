/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

/*
 * The "tlp-tunnel" ns-3 TestSuite. The module's tests are written with GoogleTest
 * (the other files of this folder); in an ns-3 tree they are linked into the module's
 * test library and this suite runs them, one ns-3 TestCase per GoogleTest test
 * suite, reporting every failed assertion to ns-3's test runner.
 */

#include "ns3/test.h"

#include <gtest/gtest.h>

namespace ns3
{

namespace
{

/// Runs the GoogleTest tests of one GoogleTest test suite.
class GoogleTestCase : public TestCase
{
  public:
    /**
     * \param suite the GoogleTest test suite name
     */
    explicit GoogleTestCase(const std::string& suite)
        : TestCase(Sanitize(suite)),
          m_suite(suite)
    {
    }

    /**
     * \brief Report one failed GoogleTest assertion.
     * \param test the GoogleTest test it failed in
     * \param result the assertion
     */
    void Report(const std::string& test, const testing::TestPartResult& result)
    {
        ReportTestFailure("GoogleTest assertion in " + test,
                          "",
                          "",
                          result.message(),
                          result.file_name() ? result.file_name() : "",
                          result.line_number());
    }

  private:
    void DoRun() override;

    /**
     * \param name a GoogleTest suite name
     * \return the name with the characters ns-3 test names may not hold replaced
     */
    static std::string Sanitize(std::string name)
    {
        for (char& c : name)
        {
            if (std::string("\"/\\|?").find(c) != std::string::npos)
            {
                c = '-';
            }
        }
        return name;
    }

    std::string m_suite; //!< GoogleTest suite name
};

/// Forwards GoogleTest failures to the ns-3 test case being run.
class Forwarder : public testing::EmptyTestEventListener
{
  public:
    /// The case that receives failures.
    static GoogleTestCase* s_current;

  private:
    void OnTestStart(const testing::TestInfo& test) override
    {
        m_test = std::string(test.test_suite_name()) + "." + test.name();
    }

    void OnTestPartResult(const testing::TestPartResult& result) override
    {
        if (result.failed() && s_current != nullptr)
        {
            s_current->Report(m_test, result);
        }
    }

    std::string m_test; //!< the test running
};

GoogleTestCase* Forwarder::s_current = nullptr;

void
GoogleTestCase::DoRun()
{
    testing::FLAGS_gtest_filter = m_suite + ".*";
    Forwarder::s_current = this;
    int failed = RUN_ALL_TESTS();
    Forwarder::s_current = nullptr;
    NS_TEST_EXPECT_MSG_EQ(failed, 0, "GoogleTest suite " << m_suite << " failed");
}

/// The module's test suite: GoogleTest's suites become its test cases.
class TlpTunnelTestSuite : public TestSuite
{
  public:
    TlpTunnelTestSuite()
        : TestSuite("tlp-tunnel", UNIT)
    {
    }

  private:
    void DoSetup() override
    {
        // GoogleTest registers its tests during static initialization; by now
        // they are all known.
        int argc = 1;
        char name[] = "tlp-tunnel";
        char* argv[] = {name, nullptr};
        testing::InitGoogleTest(&argc, argv);
        testing::TestEventListeners& listeners = testing::UnitTest::GetInstance()->listeners();
        delete listeners.Release(listeners.default_result_printer());
        listeners.Append(new Forwarder);
        testing::UnitTest* unit = testing::UnitTest::GetInstance();
        for (int i = 0; i < unit->total_test_suite_count(); ++i)
        {
            AddTestCase(new GoogleTestCase(unit->GetTestSuite(i)->name()), TestCase::QUICK);
        }
    }
};

/// Static instance registering the suite.
TlpTunnelTestSuite g_tlpTunnelTestSuite;

} // namespace

} // namespace ns3
